package io.rpcboot.autoconfigure;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.Set;

import io.rpcboot.annotation.RpcProvider;
import io.rpcboot.annotation.RpcReference;
import io.rpcboot.core.serialize.TypeAllowList;
import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The runtime hints an application's rpc-boot use needs in a native image, worked out ahead of time
 * from what it declares: a JDK proxy for every referenced interface ({@code @RpcReference} fields,
 * {@link ImportRpcServices} beans); reflective access to the {@code @RpcReference} fields and to every
 * method of every provided or referenced interface (the server calls them through method handles);
 * and, for every type the codecs may build from those signatures (records, classes, enums, sealed
 * subtypes, declared exceptions: what {@link TypeAllowList#allowReachableFrom} walks), its
 * constructors, methods and fields; and each provider class with its superclasses, whose methods
 * the server reads {@code @RpcExecution} from. Registered in {@code META-INF/spring/aot.factories}.
 */
public class RpcRuntimeHints implements BeanFactoryInitializationAotProcessor {

    @Override
    public @Nullable BeanFactoryInitializationAotContribution processAheadOfTime(ConfigurableListableBeanFactory beanFactory) {
        Set<Class<?>> referenced = new LinkedHashSet<>();
        Set<Class<?>> provided = new LinkedHashSet<>();
        Set<Class<?>> injected = new LinkedHashSet<>();
        Set<Class<?>> implementations = new LinkedHashSet<>();
        for (String name : beanFactory.getBeanDefinitionNames()) {
            Class<?> type = beanFactory.getType(name, false);
            if (type == null) {
                continue;
            }
            Class<?> user = ClassUtils.getUserClass(type);
            Class<?> factory = beanFactory.getType("&" + name, false);
            if (factory != null && RpcReferenceFactoryBean.class.isAssignableFrom(factory)) {
                referenced.add(type); // an @ImportRpcServices bean: its type is the interface
                continue;
            }
            RpcProvider provider = AnnotatedElementUtils.findMergedAnnotation(user, RpcProvider.class);
            if (provider != null) {
                for (Class<?> c = user; c != null && c != Object.class; c = c.getSuperclass()) {
                    implementations.add(c); // registered: its declared methods can be looked up
                }
                if (provider.interfaceClass() != void.class) {
                    provided.add(provider.interfaceClass());
                } else {
                    for (Class<?> i : ClassUtils.getAllInterfacesForClassAsSet(user)) {
                        if (!i.getName().startsWith("java.") && !i.getName().startsWith("org.springframework.")) {
                            provided.add(i);
                        }
                    }
                }
            }
            ReflectionUtils.doWithFields(user, field -> {
                injected.add(field.getDeclaringClass());
                referenced.add(field.getType());
            }, field -> field.isAnnotationPresent(RpcReference.class) && field.getType().isInterface());
        }
        if (referenced.isEmpty() && provided.isEmpty()) {
            return null;
        }
        return (generationContext, code) -> {
            register(generationContext.getRuntimeHints(), referenced, provided, injected);
            implementations.forEach(c -> generationContext.getRuntimeHints().reflection().registerType(c));
        };
    }

    /** The hints for these interfaces and the classes whose fields take references; public for tests and plain AOT use. */
    public static void register(RuntimeHints hints, Set<Class<?>> referenced, Set<Class<?>> provided, Set<Class<?>> injected) {
        TypeAllowList reachable = new TypeAllowList();
        for (Class<?> i : referenced) {
            hints.proxies().registerJdkProxy(i);
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>(referenced);
        interfaces.addAll(provided);
        for (Class<?> i : interfaces) {
            hints.reflection().registerType(i, MemberCategory.INVOKE_PUBLIC_METHODS);
            for (Method m : i.getMethods()) {
                if (m.getDeclaringClass() != Object.class && !Modifier.isStatic(m.getModifiers())) {
                    hints.reflection().registerMethod(m, ExecutableMode.INVOKE);
                }
            }
            reachable.allowReachableFrom(i);
        }
        for (Class<?> holder : injected) {
            for (Field f : holder.getDeclaredFields()) {
                if (f.isAnnotationPresent(RpcReference.class)) {
                    hints.reflection().registerField(f);
                }
            }
        }
        for (String name : reachable.allowedTypeNames()) {
            Class<?> type = reachable.lookup(name);
            if (type != null && !type.isInterface()) {
                hints.reflection().registerType(type, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS,
                        MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS, MemberCategory.INVOKE_DECLARED_METHODS,
                        MemberCategory.INVOKE_PUBLIC_METHODS, MemberCategory.ACCESS_DECLARED_FIELDS);
            }
        }
    }
}
