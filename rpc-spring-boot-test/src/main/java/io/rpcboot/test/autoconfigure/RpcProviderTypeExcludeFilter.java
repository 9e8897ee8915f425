package io.rpcboot.test.autoconfigure;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

import io.rpcboot.annotation.RpcProvider;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * Leaves every scanned component out of a {@link RpcProviderTest} but the named providers (or, when
 * none is named, every {@code @RpcProvider} class).
 */
final class RpcProviderTypeExcludeFilter extends TypeExcludeFilter {

    private final Set<String> providers = new LinkedHashSet<>();

    RpcProviderTypeExcludeFilter(Class<?> testClass) {
        MergedAnnotation<RpcProviderTest> test = MergedAnnotations.from(testClass, SearchStrategy.INHERITED_ANNOTATIONS)
                .get(RpcProviderTest.class);
        if (test.isPresent()) {
            Arrays.stream(test.getClassArray("value")).map(Class::getName).forEach(providers::add);
            Arrays.stream(test.getClassArray("providers")).map(Class::getName).forEach(providers::add);
        }
    }

    @Override
    public boolean match(MetadataReader reader, MetadataReaderFactory factory) throws IOException {
        String name = reader.getClassMetadata().getClassName();
        if (!providers.isEmpty()) {
            return !providers.contains(name);
        }
        return !reader.getAnnotationMetadata().hasAnnotation(RpcProvider.class.getName());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RpcProviderTypeExcludeFilter f && f.providers.equals(providers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(providers);
    }
}
