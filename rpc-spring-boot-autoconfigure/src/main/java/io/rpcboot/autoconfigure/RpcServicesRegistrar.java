package io.rpcboot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.rpcboot.core.registry.ServiceKey;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.ResourceLoaderAware;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotationAttributes;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;

/**
 * Registers the reference beans {@link ImportRpcServices} declares: one {@link RpcReferenceFactoryBean}
 * definition per interface, whose object type is known before anything is created (so by-type
 * injection, {@code @MockitoBean} and the application's own {@code getBeanNamesForType} see it).
 */
class RpcServicesRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, ResourceLoaderAware {

    private Environment environment;
    private ResourceLoader resourceLoader;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setResourceLoader(ResourceLoader resourceLoader) {
        this.resourceLoader = resourceLoader;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        Set<AnnotationAttributes> all = metadata.getMergedRepeatableAnnotationAttributes(ImportRpcServices.class,
                ImportRpcServices.Container.class, false);
        for (AnnotationAttributes a : all) {
            Set<Class<?>> types = new LinkedHashSet<>();
            types.addAll(List.of(a.getClassArray("value")));
            types.addAll(List.of(a.getClassArray("types")));
            for (String pkg : a.getStringArray("basePackages")) {
                types.addAll(scan(environment.resolveRequiredPlaceholders(pkg), metadata.getClassName()));
            }
            if (types.isEmpty()) {
                throw new RpcStartupException("@ImportRpcServices on " + metadata.getClassName() + " names no interface.",
                        "Set its types (or value) to the service interfaces, or basePackages to where they are.");
            }
            for (Class<?> type : types) {
                register(registry, type, a, metadata.getClassName());
            }
        }
    }

    private void register(BeanDefinitionRegistry registry, Class<?> type, AnnotationAttributes a, String declaredOn) {
        if (!type.isInterface()) {
            throw new RpcStartupException("@ImportRpcServices on " + declaredOn + " names " + type.getName()
                    + ", which is not an interface.", "Name the service interfaces, not their implementations.");
        }
        String version = environment.resolveRequiredPlaceholders(a.getString("version")).strip();
        String group = environment.resolveRequiredPlaceholders(a.getString("group")).strip();
        String name = new ServiceKey(type.getName(), version, group).toString();
        if (registry.containsBeanDefinition(name)) {
            throw new RpcStartupException("@ImportRpcServices on " + declaredOn + " registers " + name
                    + ", which another bean definition has as its name already.",
                    "Give one of the references another version or group, or remove one.");
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("injectedInto", name);
        for (String text : List.of("version", "group", "timeout", "loadBalancer", "url", "sslBundle")) {
            attributes.put(text, a.getString(text));
        }
        attributes.put("retries", a.<Integer>getNumber("retries"));
        attributes.put("idempotent", a.getBoolean("idempotent"));
        attributes.put("metadata", List.of(a.getStringArray("metadata")));
        RootBeanDefinition definition = new RootBeanDefinition(RpcReferenceFactoryBean.class);
        definition.setTargetType(ResolvableType.forClassWithGenerics(RpcReferenceFactoryBean.class, type));
        definition.setAttribute(FactoryBean.OBJECT_TYPE_ATTRIBUTE, type);
        definition.getConstructorArgumentValues().addIndexedArgumentValue(0, type);
        definition.getConstructorArgumentValues().addIndexedArgumentValue(1, attributes);
        definition.setRole(BeanDefinition.ROLE_APPLICATION);
        definition.setDescription("rpc-boot reference to " + name + ", declared by @ImportRpcServices on " + declaredOn);
        registry.registerBeanDefinition(name, definition);
    }

    private Set<Class<?>> scan(String basePackage, String declaredOn) {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false,
                environment) {
            @Override
            protected boolean isCandidateComponent(AnnotatedBeanDefinition candidate) {
                AnnotationMetadata m = candidate.getMetadata();
                return m.isInterface() && m.isIndependent() && !m.isAnnotation();
            }
        };
        scanner.setResourceLoader(resourceLoader);
        scanner.addIncludeFilter((reader, factory) -> true);
        Set<Class<?>> found = new LinkedHashSet<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
            String className = candidate.getBeanClassName();
            try {
                found.add(ClassUtils.forName(className, resourceLoader.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                throw new RpcStartupException("@ImportRpcServices on " + declaredOn + ": cannot load "
                        + className + " found in " + basePackage + ": " + e, "Check the class path.", e);
            }
        }
        if (found.isEmpty()) {
            throw new RpcStartupException("@ImportRpcServices(basePackages = \"" + basePackage + "\") on "
                    + declaredOn + " finds no interface there.", "Name the package that holds the service interfaces.");
        }
        return found;
    }
}
