package io.exitscope.cli;

import io.exitscope.source.InputFormat;
import picocli.CommandLine;

/** Accepts the documented input format names. */
final class InputFormatConverter implements CommandLine.ITypeConverter<InputFormat> {
    @Override
    public InputFormat convert(String value) {
        try {
            return InputFormat.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
