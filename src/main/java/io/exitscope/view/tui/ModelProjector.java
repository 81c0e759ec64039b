package io.exitscope.view.tui;

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
    private Side cachedSide;
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

    @Override
    public synchronized String switchSet() {
        if (recorded == null) return null;
        StringBuilder sb = new StringBuilder();
        for (Switch s : Switch.values()) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(s.cliName).append(recorded.switches().on(s) ? "=on" : "=off");
        }
        return sb.toString();
    }

    private synchronized void compute(Side side) {
        if (model == null || side == cachedSide) return;
        cachedSide = side;
        ModelInput in = ModelInput.of(side.fine, side.measures, side.evidence);
        recorded = new SwitchDetector(model).detect(in, null, List.of(), true);
        shifts = SwitchShifts.of(in, model, recorded.switches(), BY_SUBKEY, 1L);
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
        if (finding.id().equals("ioeventfd") && !finding.target().isEmpty()) {
            for (SwitchShift s : shifts) {
                if (s.sw() == Switch.IOEVENTFD && s.key().subkey() != null && s.key().subkey().startsWith(finding.target())
                        && s.deltaTotalNs() != 0) return s.describe();
            }
        }
        return null;
    }
}
