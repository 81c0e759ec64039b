package io.exitscope.event;

/**
 * Layout of a ring-buffer sub-buffer header ({@code events/header_page}).
 * The size of {@code commit} is the kernel's long size (4 or 8), which may differ from the
 * user-space long size written in the trace.dat header.
 *
 * @param dataSize bytes of event data in a full sub-buffer (sub-buffer size minus header)
 */
public record HeaderPage(int timestampOffset, int commitOffset, int commitSize, int dataOffset, int dataSize) {
    /** The kernel's {@code sizeof(long)}. */
    public int kernelLongSize() { return commitSize; }
    /** Sub-buffer ("page") size in bytes as the kernel wrote it. */
    public int subBufferSize() { return dataOffset + dataSize; }
}
