package io.exitscope.event;

/**
 * One field of an event format, as declared in a tracefs {@code format} file.
 *
 * <p>For binary events {@link #offset} and {@link #size} locate the value inside the record.
 * For events parsed from text the layout is meaningless and {@link #index} is the slot of the
 * value in the text event. Dynamic arrays ({@code __data_loc}, {@code __rel_loc}) hold a 32-bit
 * (or 16-bit) locator at {@code offset} whose low half is the data offset and high half the length.
 */
public final class FieldFormat {
    /** Flags, combined in {@link #flags}. */
    public static final int SIGNED = 1, ARRAY = 2, DYNAMIC = 4, RELATIVE = 8, STRING = 16, LONG = 32, POINTER = 64, COMMON = 128;

    public final String name;
    public final String type;
    public final int offset;
    public final int size;
    public final int flags;
    /** Declared element count of a fixed array (0 for scalars and flexible arrays). */
    public final int arrayLength;
    /** Position of this field in its event's field list (common fields first). */
    public final int index;

    public FieldFormat(String name, String type, int offset, int size, int flags, int arrayLength, int index) {
        this.name = name;
        this.type = type;
        this.offset = offset;
        this.size = size;
        this.flags = flags;
        this.arrayLength = arrayLength;
        this.index = index;
    }

    public boolean isSigned() { return (flags & SIGNED) != 0; }
    public boolean isArray() { return (flags & ARRAY) != 0; }
    public boolean isDynamic() { return (flags & DYNAMIC) != 0; }
    public boolean isRelative() { return (flags & RELATIVE) != 0; }
    public boolean isString() { return (flags & STRING) != 0; }
    public boolean isLong() { return (flags & LONG) != 0; }
    public boolean isPointer() { return (flags & POINTER) != 0; }
    public boolean isCommon() { return (flags & COMMON) != 0; }

    @Override
    public String toString() {
        return type + " " + name + " @" + offset + "+" + size;
    }
}
