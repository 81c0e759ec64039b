package io.exitscope.cli;

import io.exitscope.stats.GroupBy;
import picocli.CommandLine;

/** {@code --by reason,class}: parsed once by picocli, a bad value is a usage error (exit 64). */
final class GroupByConverter implements CommandLine.ITypeConverter<GroupBy> {
    @Override
    public GroupBy convert(String value) {
        try {
            return GroupBy.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
