package org.asyncprimer.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every test of the class once per {@link Container}, the container's name in the display name. The
 * class takes the container in a {@code @Parameter Container container} field and deploys it in a
 * non-static {@code @BeforeParameterizedClassInvocation}
 * method (fields are injected by then, unlike in {@code @BeforeAll}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedClass(name = "{0}")
@MethodSource("org.asyncprimer.it.Container#all")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public @interface OnEveryContainer {
}
