package io.exitscope.view.tui;

import io.exitscope.view.tui.feed.Side;
import io.exitscope.model.ExitPathModel;
import io.exitscope.model.ModelConfig;
import io.exitscope.model.ModelInput;
import io.exitscope.model.RecordedSwitches;
import io.exitscope.model.Switch;
import io.exitscope.model.SwitchDetector;
import io.exitscope.model.SwitchShift;
import io.exitscope.model.SwitchShifts;
import io.exitscope.stats.GroupBy;
import io.exitscope.util.Durations;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The s390 exit-path core on the TUI's optimizations screen: the switch set the data was recorded
 * with, one finding per model switch (what flipping it alone would move), and the projected shift
 * of the ioeventfd findings. Results are cached per {@link Side} (immutable snapshots).
 */
public final class ModelProjector implements Projector {
    private static final GroupBy BY_SUBKEY = GroupBy.parse("subkey");

    private final ExitPathModel model;
    private Side cachedSide, detectedSide;
    private ModelInput input;
    private RecordedSwitches recorded;
    private List<SwitchShift> shifts = List.of();

    public ModelProjector() {
        ExitPathModel m;
        try {
            m = new ExitPathModel(ModelConfig.load());
        } catch (IOException | RuntimeException e) {
            m = null; // no config: the screen shows no projections
        }
        this.model = m;
    }

    @Override
    public String name() {
        return "s390 exit-path core";
    }

    /**
     * The recorded switches as {@code exitscope model} lists them: those the model projects, then
     * those seen in the trace that it does not model here; switches only assumed are counted.
     */
    @Override
    public synchronized String switchSet(Side side) {
        if (side == null) return null;
        detect(side);
        if (recorded == null) return null;
        List<String> modelled = new ArrayList<>(), seenOnly = new ArrayList<>();
        int assumed = 0;
        for (Switch s : Switch.values()) {
            RecordedSwitches.State st = recorded.states().get(s);
            String t = s.cliName + (st.value() ? "=on" : "=off");
            switch (st.how()) {
                case NOT_MODELLED -> assumed++;
                case SEEN_NOT_MODELLED -> seenOnly.add(t);
                default -> modelled.add(t);
            }
        }
        StringBuilder sb = new StringBuilder(String.join(" ", modelled));
        if (!seenOnly.isEmpty()) sb.append(sb.length() > 0 ? "; " : "").append("not modelled here: ").append(String.join(" ", seenOnly));
        if (assumed > 0) sb.append(" (+").append(assumed).append(" not modelled)");
        return sb.toString();
    }

    /** The recorded state of a switch, or null before the first frame. */
    synchronized RecordedSwitches.State recorded(Switch s) {
        return recorded == null ? null : recorded.states().get(s);
    }

    /** The recorded switches of a side (what the header shows), without the projections. */
    private synchronized void detect(Side side) {
        if (model == null || side == detectedSide) return;
        detectedSide = side;
        input = ModelInput.of(side.fine(), side.result().measures(), side.evidence());
        recorded = new SwitchDetector(model).detect(input, null, List.of(), true);
    }

    /** The recorded switches and what flipping each would move (the optimizations screen). */
    private synchronized void compute(Side side) {
        if (model == null || side == cachedSide) return;
        detect(side);
        cachedSide = side;
        shifts = SwitchShifts.of(input, model, recorded.switches(), BY_SUBKEY, 1L);
    }

    @Override
    public List<Optimizations.Row> rows(Side side) {
        compute(side);
        if (model == null) return List.of();
        Map<Switch, long[]> bySwitch = new EnumMap<>(Switch.class); // exits moved, |delta total ns|, their measured ns
        Map<Switch, SwitchShift> biggest = new EnumMap<>(Switch.class);
        for (SwitchShift s : shifts) {
            if (s.deltaTotalNs() == 0 && s.roundTripDeltaNs() == 0) continue;
            long[] a = bySwitch.computeIfAbsent(s.sw(), k -> new long[3]);
            a[0] += s.count();
            a[1] += Math.abs(s.deltaTotalNs());
            a[2] += s.measuredTotalNs();
            SwitchShift b = biggest.get(s.sw());
            if (b == null || Math.abs(s.deltaTotalNs()) > Math.abs(b.deltaTotalNs())) biggest.put(s.sw(), s);
        }
        long overhead = Math.max(1, side.overheadNs());
        List<Optimizations.Row> out = new ArrayList<>();
        for (Map.Entry<Switch, long[]> e : bySwitch.entrySet()) {
            Switch sw = e.getKey();
            boolean on = recorded.switches().on(sw);
            SwitchShift b = biggest.get(sw);
            String evidence = "model: " + sw.cliName + (on ? " on->off" : " off->on") + " moves exit time by "
                    + Durations.format(e.getValue()[1]) + "; biggest: " + b.key().label() + " " + b.describe();
            out.add(new Optimizations.Row("model:" + sw.cliName, sw.cliName, "",
                    on ? Optimizations.State.ON : Optimizations.State.OFF, recorded.states().get(sw).how().text,
                    evidence, e.getValue()[0], Math.min(1.0, (double) e.getValue()[2] / overhead), false));
        }
        return out;
    }

    @Override
    public String projectedShift(Optimizations.Row finding, Side side) {
        compute(side);
        if (model == null) return null;
        if (finding.id().startsWith("model:")) {
            String name = finding.id().substring(6);
            SwitchShift best = null;
            for (SwitchShift s : shifts) {
                if (s.sw().cliName.equals(name) && (best == null || Math.abs(s.deltaTotalNs()) > Math.abs(best.deltaTotalNs()))) best = s;
            }
            return best == null ? null : best.describe();
        }
        Switch sw = switch (finding.id()) {
            case "kvm-module" -> Switch.KVM_BUILTIN;
            case "fpu" -> Switch.LAZY_FPU;
            default -> null;
        };
        if (sw != null && recorded.states().get(sw).how() == RecordedSwitches.How.SEEN_NOT_MODELLED) return "not modelled on this arch";
        if (finding.id().equals("ioeventfd") && !finding.target().isEmpty()) {
            for (SwitchShift s : shifts) {
                if (s.sw() == Switch.IOEVENTFD && s.key().subkey() != null && s.key().subkey().startsWith(finding.target())
                        && s.deltaTotalNs() != 0) return s.describe();
            }
        }
        return null;
    }
}
