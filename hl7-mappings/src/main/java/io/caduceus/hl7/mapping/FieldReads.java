package io.caduceus.hl7.mapping;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * Reads a reference field of an object by its offset. For the canonical writer, which reads every child field of
 * every element it writes: HAPI's accessors and reflection went through four objects per field and cost a quarter of
 * the writer's time under load. The caller guarantees the object is an instance of the field's declaring class.
 */
final class FieldReads {

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private FieldReads() {
    }

    /** The offset of an instance reference field, or -1 where it cannot be read this way. */
    static long offset(Field field) {
        if (UNSAFE == null || Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()
                || field.getDeclaringClass().isRecord() || field.getDeclaringClass().isHidden()) {
            return -1;
        }
        return UNSAFE.objectFieldOffset(field);
    }

    static Object read(Object target, long offset) {
        return UNSAFE.getObject(target, offset);
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (sun.misc.Unsafe) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // callers fall back to HAPI's accessors
        }
    }
}
