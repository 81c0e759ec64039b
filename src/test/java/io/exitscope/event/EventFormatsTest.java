package io.exitscope.event;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EventFormatsTest {

    static String format(String name, int id) {
        return "name: " + name + "\nID: " + id + "\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n"
                + "\tfield:u32 x;\toffset:8;\tsize:4;\tsigned:0;\n\nprint fmt: \"x=%u\", REC->x\n";
    }

    @Test
    void deferredFormatsAreParsedOnceWhenFirstNeeded() {
        EventFormats f = new EventFormats();
        AtomicInteger parses = new AtomicInteger();
        String text = format("kvm_pio", 42);
        FormatParser.Header h = FormatParser.scanHeader(text);
        assertEquals(new FormatParser.Header("kvm_pio", 42), h);
        f.addDeferred(h.id(), "kvm", h.name(), () -> {
            parses.incrementAndGet();
            return FormatParser.parseEvent("kvm", text);
        });
        assertEquals(1, f.size());
        assertEquals(0, parses.get());
        assertNull(f.byId(41));
        EventFormat e = f.byId(42);
        assertEquals("kvm_pio", e.name);
        assertEquals("x", e.ownFields.get(0).name);
        assertSame(e, f.byName("kvm:kvm_pio"));
        assertSame(e, f.byName("kvm_pio"));
        assertEquals(1, parses.get());
    }

    @Test
    void theLastFormatWithAnIdWins() {
        EventFormats f = new EventFormats();
        f.add(FormatParser.parseEvent("kvm", format("old", 7)));
        f.addDeferred(7, "kvm", "new", () -> FormatParser.parseEvent("kvm", format("new", 7)));
        assertEquals("new", f.byId(7).name);
        assertEquals("new", f.byName("new").name);
        assertEquals(2, f.size());
    }

    @Test
    void headerScanHasTheParsersRulesAndErrors() {
        String twice = "name: a\nID: 1\n  name: b \n\tID: 2\n";
        assertEquals(new FormatParser.Header("b", 2), FormatParser.scanHeader(twice));
        EventFormat e = FormatParser.parseEvent("s", twice);
        assertEquals("b", e.name);
        assertEquals(2, e.id);
        assertEquals("bad event ID 'x'", assertThrows(FormatParser.FormatException.class, () -> FormatParser.scanHeader("name: a\nID: x\n")).getMessage());
        assertEquals("event format without a name", assertThrows(FormatParser.FormatException.class, () -> FormatParser.scanHeader("ID: 3\n")).getMessage());
        assertEquals("event format 'a' without an ID", assertThrows(FormatParser.FormatException.class, () -> FormatParser.scanHeader("name: a\n")).getMessage());
    }

    @Test
    void nameAndIdCountOnlyBeforeTheFormatLine() {
        // a print format or a damaged file may hold such lines further down: neither reader takes them
        String text = format("real", 5) + "name: fake\nID: 9\n";
        assertEquals(new FormatParser.Header("real", 5), FormatParser.scanHeader(text));
        EventFormat e = FormatParser.parseEvent("s", text);
        assertEquals("real", e.name);
        assertEquals(5, e.id);
        assertEquals("event format without a name",
                assertThrows(FormatParser.FormatException.class, () -> FormatParser.scanHeader("ID: 3\nformat:\nname: late\n")).getMessage());
        assertEquals("event format without a name",
                assertThrows(FormatParser.FormatException.class, () -> FormatParser.parseEvent("s", "ID: 3\nformat:\nname: late\n")).getMessage());
    }

    @Test
    void deferredFormatsAreFoundByNameAndTheLaterAnnouncementWins() {
        EventFormats f = new EventFormats();
        f.addDeferred(300, "kvm", "dup", () -> FormatParser.parseEvent("kvm", format("dup", 300)));
        f.addDeferred(12, "kvm", "dup", () -> FormatParser.parseEvent("kvm", format("dup", 12)));
        f.addDeferred(13, "sched", "other", () -> FormatParser.parseEvent("sched", format("other", 13)));
        assertEquals(12, f.byName("dup").id);
        assertEquals(12, f.byName("kvm:dup").id);
        assertEquals(13, f.byName("sched:other").id);
        assertNull(f.byName("kvm:other"));
        assertNull(f.byName("missing"));
        // a parsed format replaced by a deferred one with its id no longer answers to its name
        f.add(FormatParser.parseEvent("kvm", format("gone", 40)));
        f.addDeferred(40, "kvm", "came", () -> FormatParser.parseEvent("kvm", format("came", 40)));
        assertNull(f.byName("gone"));
        assertEquals("came", f.byId(40).name);
        assertEquals(5, f.size());
    }

    @Test
    void allParsesTheDeferredOnesAndSurfacesTheirErrors() {
        EventFormats f = new EventFormats();
        f.addDeferred(1, "kvm", "fine", () -> FormatParser.parseEvent("kvm", format("fine", 1)));
        f.addDeferred(2, "kvm", "broken", () -> FormatParser.parseEvent("kvm", format("broken", 2).replace("offset:8;", "offset:x;")));
        assertEquals("fine", f.byId(1).name);
        assertThrows(FormatParser.FormatException.class, f::all);
    }
}
