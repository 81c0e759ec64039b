package io.exitscope.triage;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.evidence.DeviceAddresses;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.NotificationEvidence;
import io.exitscope.stats.Intervals;
import io.exitscope.stats.Percentile;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The on-call triage rules: from one analysis to a ranked list of {@link Finding}s.
 *
 * <p>Every figure comes from the snapshot that {@code report} prints by default (grouping
 * reason,class, blocking exits excluded from shares), so triage and report agree to the
 * nanosecond; the optimization verdicts are {@link OptimizationEvidence}'s, as in the report. Shares are of overhead exit time: the measured time of non-blocking exits.
 *
 * <p>Ranking (most important first): lost events above 1% of the events come first, because every
 * other figure is then a lower bound. Then findings by the exit time they are about: a
 * diagnosis (no-ioeventfd, userspace-dominated, long-tail, ...) ranks at the share of the largest
 * report group it explains, just before that group's {@code exit-time} entry, so the plain
 * ranking of groups by time stays in report order with the explanations beside it. Informational
 * findings without a time share ({@code kvm-module}, then {@code idle}) come last.
 */
public final class Triage {
    private Triage() {}

    // thresholds of the rules (documented in the README's triage section)
    static final int MIN_NOTIFICATIONS = 10;
    static final double MIN_SHARE = 0.01;
    static final double USERSPACE_DOMINATED = 0.5;
    static final double STORM_FACTOR = 5;
    static final double STORM_MIN_RATE = 5000;
    static final long STORM_MIN_EXITS = 100;
    static final double TAIL_MAX_FACTOR = 10;
    static final long TAIL_MAX_MIN_EXCESS_NS = 50_000;
    static final double TAIL_P999_FACTOR = 5;
    static final long TAIL_P999_MIN_EXCESS_NS = 20_000;
    static final long TAIL_MIN_MEASURED = 20;
    static final double REQUESTS_MOST = 0.5;
    static final double LOCK_FACTOR = 1.5;
    static final long LOCK_MIN_SAMPLES = 30;
    static final double LOST_FIRST = 0.01;
    static final int SLOWEST_SHOWN = 5;

    /** Triage of one analysis. {@code conc} may be null (no big-lock rule). */
    public static TriageReport analyze(AnalysisResult r, TriageOptions opt, ConcurrencyTracker conc) {
        Ctx c = new Ctx(r, opt == null ? TriageOptions.DEFAULT : opt);
        List<Finding> out = new ArrayList<>();
        lostEvents(c, out);
        classUnknown(c, out);
        noIoeventfd(c, out);
        userspaceDominated(c, out);
        exitStorm(c, out);
        longTail(c, out);
        requestsPending(c, out);
        if (conc != null) bigLock(c, conc, out);
        kvmModule(c, out);
        exitTime(c, out);
        idle(c, out);
        return new TriageReport(r.sourceLabel(), r.partial(), rank(c, out), r, c.overhead, c.idleNs);
    }

    /** Shared state of one run of the rules. */
    private static final class Ctx {
        final AnalysisResult r;
        final OptimizationEvidence evidence;
        /** Grouped by reason and class, as {@code report} prints by default. */
        final StatsSnapshot byReasonClass;
        final TriageOptions opt;
        final long overhead;
        final long idleNs;
        final Map<String, Double> groupShare = new HashMap<>();
        /** userspace exits and time per reason already explained by no-ioeventfd findings */
        final Map<String, long[]> explainedUserspace = new HashMap<>();
        final java.util.Set<String> explainedSubkeys = new java.util.HashSet<>();

        Ctx(AnalysisResult r, TriageOptions opt) {
            this.r = r;
            this.evidence = OptimizationEvidence.of(r);
            this.byReasonClass = r.stats().snapshot(GroupBy.REASON_CLASS);
            this.opt = opt;
            this.overhead = byReasonClass.overheadNs(false);
            long idle = 0;
            for (StatsSnapshot.Group g : byReasonClass.groups()) {
                if (g.blocking()) idle += g.totalNs();
                else groupShare.put(label(g.key().reason(), g.classLabel()), share(g.totalNs()));
            }
            this.idleNs = idle;
        }

        double share(long ns) {
            return StatsSnapshot.share(ns, overhead);
        }
    }

    static String label(String reason, String cls) {
        return reason + " [" + cls + "]";
    }

    static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    // ------------------------------------------------------------------ rules

    private static void lostEvents(Ctx c, List<Finding> out) {
        AnalysisResult r = c.r;
        if (!r.partial()) return;
        double frac = r.events() + r.lostEvents() == 0 ? 1 : (double) r.lostEvents() / (r.events() + r.lostEvents());
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("lost_events", r.lostEvents());
        ev.put("lost_fraction", round6(frac));
        Map<String, Object> byCpu = new TreeMap<>();
        r.lostByCpu().forEach((cpu, n) -> byCpu.put(Integer.toString(cpu), n));
        ev.put("lost_by_cpu", byCpu);
        ev.put("lost_pages_count_unknown", r.lostUnknownPages());
        ev.put("events", r.events());
        ev.put("incomplete_exits", r.incompleteExits());
        String where = byCpu.isEmpty() ? "" : " on CPU " + String.join(", ", byCpu.keySet());
        out.add(new Finding(Finding.Kind.LOST_EVENTS.id,
                "events were lost" + where + ": the result is partial, every figure is a lower bound",
                byCpu.isEmpty() ? "lost pages" : "cpu " + String.join(",", byCpu.keySet()), frac, ev,
                "Enlarge the per-CPU ring buffer (exitscope live --buffer-kb, trace-cmd record -b), trace only the VM "
                        + "that matters (-p PID) or fewer events; exits around the losses were dropped, not mis-paired.",
                List.of()));
    }

    /**
     * Exits whose class is unknown (the trace has no kvm_userspace_exit): no-ioeventfd and
     * userspace-dominated need the class, so their silence means nothing here; said first, after losses.
     */
    private static void classUnknown(Ctx c, List<Finding> out) {
        long unknown = 0, all = 0;
        for (StatsSnapshot.Group g : c.byReasonClass.groups()) {
            unknown += g.classCounts().getOrDefault(ExitClass.UNKNOWN, 0L);
            all += g.count();
        }
        if (unknown == 0) return;
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("unknown_class_exits", unknown);
        ev.put("exits", all);
        ev.put("missing_event", ExitClass.EVIDENCE_EVENT);
        out.add(new Finding(Finding.Kind.CLASS_UNKNOWN.id,
                "exit class unknown for " + unknown + " of " + all + " exits: " + ExitClass.UNKNOWN_WHY,
                "class", all == 0 ? 0 : (double) unknown / all, ev,
                "Without " + ExitClass.EVIDENCE_EVENT + " the trace cannot show which exits returned to the VMM, so "
                        + "exits to userspace (no-ioeventfd, userspace-dominated) cannot be found. Record it too: "
                        + "perf record -e 'kvm:*' or trace-cmd record -e kvm (perf kvm stat record leaves it out).",
                List.of()));
    }

    /** Aggregated evidence for one device address over all threads. */
    private static final class Addr {
        final String address, reason, vm;
        long toUserspace, inKernel;
        /** Another thread's writes to it stay in the kernel with evidence of ioeventfd. */
        boolean ioeventfdElsewhere;
        final List<Map<String, Object>> threads = new ArrayList<>();

        Addr(String address, String reason, String vm) {
            this.address = address;
            this.reason = reason;
            this.vm = vm;
        }
    }

    private static void noIoeventfd(Ctx c, List<Finding> out) {
        Map<String, Addr> addrs = new LinkedHashMap<>();
        for (OptimizationEvidence.Notification a : c.evidence.notifications()) {
            Addr x = addrs.computeIfAbsent(a.address(), k -> new Addr(a.address(), a.reason(), a.vm()));
            x.toUserspace += a.toUserspace();
            x.inKernel += a.inKernel();
            x.ioeventfdElsewhere |= a.verdict().ioeventfd;
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("tid", a.tid());
            t.put("vm", a.vm());
            t.put("to_userspace", a.toUserspace());
            t.put("in_kernel", a.inKernel());
            t.put("verdict", a.verdict().json);
            x.threads.add(t);
        }
        if (addrs.isEmpty()) return;
        StatsSnapshot bySub = c.r.stats().snapshot(GroupBy.parse("subkey,class"));
        StatsSnapshot byReasonClass = c.byReasonClass;
        Arch arch = c.r.arches().size() == 1 ? c.r.arches().iterator().next() : Arch.UNKNOWN;
        for (Addr a : addrs.values()) {
            if (a.toUserspace == 0 || DeviceAddresses.dataPort(a.address) != null || DeviceAddresses.kernelDevice(a.address) != null) continue;
            long count = 0, measured = 0, total = 0, kCount = 0, kMeasured = 0, kTotal = 0;
            String reason = a.reason;
            for (StatsSnapshot.Group g : bySub.groups()) {
                if (!a.address.equals(g.key().subkey()) || g.blocking()) continue;
                if (g.key().exitClass() == ExitClass.USERSPACE) {
                    count += g.count();
                    measured += g.measured();
                    total += g.totalNs();
                    reason = g.key().reason();
                } else {
                    kCount += g.count();
                    kMeasured += g.measured();
                    kTotal += g.totalNs();
                }
            }
            double share = c.share(total);
            if (a.toUserspace < MIN_NOTIFICATIONS && share < MIN_SHARE) continue;
            long mean = measured == 0 ? 0 : total / measured;
            // the kernel-handled cost: asked for, measured for this address, modelled, measured for the reason, default
            long kernelNs;
            String kernelFrom;
            OptionalLong modelled = c.opt.gainModel().kernelNotifyNs(arch, reason, a.address, mean, c.r);
            StatsSnapshot.Group sameReasonKernel = null;
            for (StatsSnapshot.Group g : byReasonClass.groups()) {
                if (reason.equals(g.key().reason()) && g.key().exitClass() == ExitClass.KERNEL && g.measured() > 0) sameReasonKernel = g;
            }
            if (c.opt.notifyKernelNs() >= 0) {
                kernelNs = c.opt.notifyKernelNs();
                kernelFrom = "given (--notify-cost)";
            } else if (kMeasured > 0) {
                kernelNs = kTotal / kMeasured;
                kernelFrom = "measured: mean of " + kMeasured + " kernel-handled writes to " + a.address + " in this trace";
            } else if (modelled.isPresent()) {
                kernelNs = modelled.getAsLong();
                kernelFrom = "exit-path model";
            } else if (sameReasonKernel != null) {
                kernelNs = sameReasonKernel.percentile(50);
                kernelFrom = "measured: p50 of " + sameReasonKernel.measured() + " kernel-handled " + reason + " exits in this trace";
            } else {
                kernelNs = GainModel.DEFAULT_KERNEL_NOTIFY_NS;
                kernelFrom = "default: " + GainModel.DEFAULT_KERNEL_NOTIFY_NS
                        + " ns, DIAG 0x500 with ioeventfd on s390 (KVM Forum 2016); the trace shows no kernel-handled cost";
            }
            long perExit = measured == 0 ? 0 : Math.max(0, mean - kernelNs);
            long gainNs = perExit * measured;
            String key = addressKey(a.address);
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("address", a.address);
            ev.put("reason", reason);
            ev.put("to_userspace", a.toUserspace);
            ev.put("in_kernel", a.inKernel);
            ev.put("exits", count);
            ev.put("total_ns", total);
            if (measured > 0) ev.put("mean_ns", mean);
            ev.put("ioeventfd_seen_elsewhere", a.ioeventfdElsewhere);
            ev.put("projected_kernel_ns", kernelNs);
            ev.put("projected_kernel_ns_from", kernelFrom);
            ev.put("projected_gain_per_exit_ns", perExit);
            ev.put("projected_gain_ns", gainNs);
            ev.put("projected_gain_share", round6(c.share(gainNs)));
            if (c.r.durationSeconds() > 0) ev.put("projected_gain_ns_per_s", Math.round(gainNs / c.r.durationSeconds()));
            ev.put("threads", a.threads);
            String title = key + " notifications reach userspace (no ioeventfd)";
            String gain = measured == 0 ? "the round trips were not timed"
                    : "projected gain " + Durations.format(perExit) + " per write (" + Durations.format(mean) + " -> "
                    + Durations.format(kernelNs) + "), " + Durations.format(gainNs) + " in total, "
                    + Durations.percent(c.share(gainNs)) + " of exit time";
            String advice = "Register an ioeventfd for " + key + " (KVM_IOEVENTFD; QEMU virtio devices: ioeventfd=on, the default) so the "
                    + "guest's write signals an eventfd inside the kernel instead of returning to the VMM: " + gain + "."
                    + (a.ioeventfdElsewhere ? " Other threads in this trace already have it: their writes to " + key + " stay in the kernel." : "");
            out.add(new Finding(Finding.Kind.NO_IOEVENTFD.id, title, key, share, ev, advice, List.of(label(reason, "userspace"))));
            c.explainedSubkeys.add(a.address);
            long[] e = c.explainedUserspace.computeIfAbsent(reason, k -> new long[2]);
            e[0] += count;
            e[1] += total;
        }
    }

    /** {@code port 0x500 out} -> {@code port 0x500}: the address without the access direction. */
    static String addressKey(String subkey) {
        for (String dir : new String[]{" out", " in", " write", " read", " read-unsatisfied"}) {
            if (subkey.endsWith(dir)) return subkey.substring(0, subkey.length() - dir.length());
        }
        return subkey;
    }

    private static void userspaceDominated(Ctx c, List<Finding> out) {
        StatsSnapshot byReason = c.r.stats().snapshot(GroupBy.parse("reason"));
        StatsSnapshot bySub = null;
        for (StatsSnapshot.Group g : byReason.groups()) {
            if (g.blocking()) continue;
            long usCount = g.classCounts().getOrDefault(ExitClass.USERSPACE, 0L);
            if (usCount == 0) continue;
            double usFrac = g.measured() > 0 && g.totalNs() > 0 ? (double) g.userspaceNs() / g.totalNs() : (double) usCount / g.count();
            if (usFrac < USERSPACE_DOMINATED) continue;
            String reason = g.key().reason();
            long[] ex = c.explainedUserspace.getOrDefault(reason, new long[2]);
            long remainingCount = usCount - ex[0];
            long remainingNs = Math.max(0, g.userspaceNs() - ex[1]);
            double share = c.share(remainingNs);
            if (remainingCount < MIN_NOTIFICATIONS || (share < MIN_SHARE && !(g.measured() == 0 && remainingCount >= 100))) continue;
            if (bySub == null) bySub = c.r.stats().snapshot(GroupBy.parse("subkey,class"));
            List<Map<String, Object>> subs = new ArrayList<>();
            List<String> devices = new ArrayList<>();
            for (StatsSnapshot.Group s : bySub.groups()) {
                if (!reason.equals(s.key().reason()) || s.key().exitClass() != ExitClass.USERSPACE || s.blocking()) continue;
                if (s.key().subkey() != null && c.explainedSubkeys.contains(s.key().subkey())) continue;
                if (subs.size() == 5) break;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("subkey", s.key().subkey());
                m.put("exits", s.count());
                m.put("total_ns", s.totalNs());
                if (s.measured() > 0) m.put("mean_ns", s.totalNs() / s.measured());
                String dev = DeviceAddresses.dataPort(s.key().subkey());
                if (dev != null) {
                    m.put("device", dev);
                    if (!devices.contains(dev)) devices.add(dev);
                }
                subs.add(m);
            }
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("reason", reason);
            ev.put("exits", g.count());
            ev.put("userspace_exits", usCount);
            ev.put("userspace_ns", g.userspaceNs());
            ev.put("total_ns", g.totalNs());
            ev.put("userspace_fraction", round6(usFrac));
            if (ex[0] > 0) {
                ev.put("explained_by_no_ioeventfd_exits", ex[0]);
                ev.put("explained_by_no_ioeventfd_ns", ex[1]);
            }
            ev.put("remaining_userspace_exits", remainingCount);
            ev.put("remaining_userspace_ns", remainingNs);
            if (g.measured() > 0 && usCount > 0) ev.put("mean_userspace_ns", g.userspaceNs() / Math.max(1, usCount));
            ev.put("top_subkeys", subs);
            String what = subs.isEmpty() ? "" : " (mostly " + subs.get(0).get("subkey") + (devices.isEmpty() ? "" : ", " + devices.get(0)) + ")";
            String advice = devices.isEmpty()
                    ? "Each of these exits returns to the VMM and back. Handle them in the kernel (in-kernel irqchip/PIT, ioeventfd "
                    + "and irqfd, vhost) or give the guest a paravirtual device; see which addresses with exitscope report --by subkey."
                    : "These go to an emulated " + String.join(", ", devices) + " in the VMM; its writes carry data, so ioeventfd "
                    + "cannot take them. Reduce the guest's use of it (e.g. console output on a serial port: quieter logging, "
                    + "virtio-console) or use a paravirtual device.";
            out.add(new Finding(Finding.Kind.USERSPACE_DOMINATED.id,
                    reason + " exits are dominated by userspace round trips" + what, reason, share, ev, advice,
                    List.of(label(reason, "userspace"))));
        }
    }

    private static void exitStorm(Ctx c, List<Finding> out) {
        double dur = c.r.durationSeconds();
        if (dur <= 0) return;
        StatsSnapshot s = c.r.stats().snapshot(GroupBy.parse("reason,vm,vcpu"));
        // per vCPU (within its VM) and per VM: exits, time, and exits per reason
        Map<String, long[]> vcpus = new LinkedHashMap<>(), vms = new LinkedHashMap<>();
        Map<String, Map<String, Long>> reasonsOf = new HashMap<>();
        Map<String, String[]> names = new HashMap<>();
        for (StatsSnapshot.Group g : s.groups()) {
            if (g.blocking()) continue;
            String vk = g.key().vm() + "\u0000" + g.key().vcpu();
            names.put(vk, new String[]{g.key().vm(), g.key().vcpu()});
            long[] v = vcpus.computeIfAbsent(vk, k -> new long[2]);
            v[0] += g.count();
            v[1] += g.totalNs();
            long[] m = vms.computeIfAbsent(g.key().vm(), k -> new long[2]);
            m[0] += g.count();
            m[1] += g.totalNs();
            reasonsOf.computeIfAbsent(vk, k -> new HashMap<>()).merge(g.key().reason(), g.count(), Long::sum);
            reasonsOf.computeIfAbsent("vm\u0000" + g.key().vm(), k -> new HashMap<>()).merge(g.key().reason(), g.count(), Long::sum);
        }
        storms(c, out, vcpus, reasonsOf, dur, false, names);
        // a VM with one vCPU storms exactly when that vCPU does: only VMs with several are compared as VMs
        Map<String, Integer> vcpusPerVm = new HashMap<>();
        for (String[] n : names.values()) vcpusPerVm.merge(n[0], 1, Integer::sum);
        List<Finding> vmStorms = new ArrayList<>();
        storms(c, vmStorms, vms, reasonsOf, dur, true, names);
        for (Finding f : vmStorms) if (vcpusPerVm.getOrDefault((String) f.evidence().get("vm"), 0) > 1) out.add(f);
    }

    private static void storms(Ctx c, List<Finding> out, Map<String, long[]> units, Map<String, Map<String, Long>> reasonsOf,
                               double dur, boolean vmLevel, Map<String, String[]> names) {
        if (units.size() < 2) return;
        for (Map.Entry<String, long[]> e : units.entrySet()) {
            long n = e.getValue()[0];
            double rate = n / dur;
            List<Double> others = new ArrayList<>();
            for (Map.Entry<String, long[]> o : units.entrySet()) if (o != e) others.add(o.getValue()[0] / dur);
            others.sort(null);
            double median = others.size() % 2 == 1 ? others.get(others.size() / 2)
                    : (others.get(others.size() / 2 - 1) + others.get(others.size() / 2)) / 2;
            if (n < STORM_MIN_EXITS || rate < STORM_MIN_RATE || rate < STORM_FACTOR * Math.max(median, 1)) continue;
            String vm = vmLevel ? e.getKey() : names.get(e.getKey())[0];
            String vcpu = vmLevel ? null : names.get(e.getKey())[1];
            String key = vmLevel ? "vm " + vm : "vm " + vm + " vcpu " + vcpu;
            Map<String, Long> rs = reasonsOf.getOrDefault(vmLevel ? "vm\u0000" + vm : e.getKey(), Map.of());
            List<Map.Entry<String, Long>> top = new ArrayList<>(rs.entrySet());
            top.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            List<Map<String, Object>> topReasons = new ArrayList<>();
            for (Map.Entry<String, Long> t : top.subList(0, Math.min(5, top.size()))) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("reason", t.getKey());
                m.put("exits", t.getValue());
                m.put("rate_per_s", Math.round(t.getValue() / dur));
                topReasons.add(m);
            }
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("vm", vm);
            if (vcpu != null) ev.put("vcpu", vcpu);
            ev.put("exits", n);
            ev.put("total_ns", e.getValue()[1]);
            ev.put("rate_per_s", Math.round(rate));
            ev.put("median_rate_of_others_per_s", Math.round(median));
            ev.put("ratio", Math.round(rate / Math.max(median, 1) * 10) / 10.0);
            ev.put("compared_with", others.size());
            ev.put("top_reasons", topReasons);
            String topReason = topReasons.isEmpty() ? "?" : (String) topReasons.get(0).get("reason");
            out.add(new Finding(Finding.Kind.EXIT_STORM.id,
                    "exit storm on " + key + ": " + Math.round(rate) + " exits/s, " + String.format(Locale.ROOT, "%.0f", rate / Math.max(median, 1))
                            + "x the other " + (vmLevel ? "VMs" : "vCPUs") + " (mostly " + topReason + ")",
                    key, c.share(e.getValue()[1]), ev,
                    "Find what the guest does on " + (vmLevel ? "this VM" : "this vCPU") + " (" + topReason + " dominates): a spinning "
                            + "guest, a timer or interrupt storm, a device polled in a loop; exitscope report --by subkey,vcpu "
                            + (vmLevel ? "--vm " + vm : "--vcpu " + vcpu) + " shows which addresses.",
                    List.of()));
        }
    }

    private static void longTail(Ctx c, List<Finding> out) {
        for (StatsSnapshot.Group g : c.byReasonClass.groups()) {
            if (g.blocking() || g.measured() < TAIL_MIN_MEASURED) continue;
            long p99 = g.percentile(99), p999 = g.percentile(99.9), max = g.max();
            boolean byMax = max >= TAIL_MAX_FACTOR * Math.max(p99, 1) && max - p99 >= TAIL_MAX_MIN_EXCESS_NS;
            boolean byP999 = g.measured() >= 1000 && p999 >= TAIL_P999_FACTOR * Math.max(p99, 1) && p999 - p99 >= TAIL_P999_MIN_EXCESS_NS;
            if (!byMax && !byP999) continue;
            long tailNs = 0, tailCount = 0;
            for (HistogramIterationValue v : g.histogram().recordedValues()) {
                long val = g.histogram().medianEquivalentValue(v.getValueIteratedTo());
                if (g.histogram().lowestEquivalentValue(v.getValueIteratedTo()) > p99) {
                    tailNs += val * v.getCountAtValueIteratedTo();
                    tailCount += v.getCountAtValueIteratedTo();
                }
            }
            tailNs = Math.min(tailNs, g.totalNs());
            double share = c.share(tailNs);
            if (share < 0.001 && max < 1_000_000) continue;
            String cls = g.classLabel();
            String reason = g.key().reason();
            List<Map<String, Object>> slow = new ArrayList<>();
            for (ExitStats.Slow x : g.slowest()) {
                if (slow.size() == SLOWEST_SHOWN) break;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("latency_ns", x.latencyNs());
                m.put("ts_ns", x.exitTs());
                m.put("offset_s", Math.round((x.exitTs() - c.r.firstTs()) / 1e3) / 1e6);
                m.put("cpu", x.cpu());
                m.put("tid", x.tid());
                if (x.vcpu() != null) m.put("vcpu", x.vcpu());
                if (x.subkey() != null) m.put("subkey", x.subkey());
                slow.add(m);
            }
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("reason", reason);
            ev.put("class", cls);
            ev.put("measured", g.measured());
            ev.put("p50_ns", g.percentile(50));
            ev.put("p99_ns", p99);
            ev.put("p999_ns", p999);
            ev.put("max_ns", max);
            ev.put("max_over_p99", Math.round((double) max / Math.max(p99, 1) * 10) / 10.0);
            ev.put("p999_over_p99", Math.round((double) p999 / Math.max(p99, 1) * 10) / 10.0);
            ev.put("tail_exits", tailCount);
            ev.put("tail_ns", tailNs);
            ev.put("slowest", slow);
            String when = slow.isEmpty() ? "" : ", slowest at +" + slow.get(0).get("offset_s") + "s on CPU " + slow.get(0).get("cpu");
            out.add(new Finding(Finding.Kind.LONG_TAIL.id,
                    reason + " " + cls + " exits have a long tail: " + (byMax ? "max " + Durations.format(max) : "p99.9 " + Durations.format(p999))
                            + " vs p99 " + Durations.format(p99) + when,
                    label(reason, cls), share, ev,
                    "The slow exits are outliers, not the common path: look at what ran on their CPUs at those timestamps "
                            + "(host preemption, interrupts, page faults, lock contention), e.g. record sched and irq events around them "
                            + "(trace-cmd record -e kvm -e sched -e irq) and pin vCPU threads to isolated CPUs.",
                    List.of(label(reason, cls))));
        }
    }

    private static void requestsPending(Ctx c, List<Finding> out) {
        OptimizationEvidence.Requests rq = c.evidence.requests();
        if (!rq.visible()) return;
        double frac = rq.pendingFraction();
        if (frac < REQUESTS_MOST) return;
        double ns = 0;
        List<StatsSnapshot.Group> gs = new ArrayList<>();
        for (StatsSnapshot.Group g : c.byReasonClass.groups()) {
            if (g.blocking() || g.requestsKnown() == 0) continue;
            ns += (double) g.totalNs() * g.requestsPending() / g.requestsKnown();
            if (g.requestsPending() > 0) gs.add(g);
        }
        gs.sort(Comparator.comparingLong(StatsSnapshot.Group::requestsPending).reversed());
        List<Map<String, Object>> by = new ArrayList<>();
        for (StatsSnapshot.Group g : gs.subList(0, Math.min(5, gs.size()))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("reason", g.key().reason());
            m.put("class", g.classLabel());
            m.put("requests_pending", g.requestsPending());
            m.put("exits", g.count());
            by.add(m);
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("requests_pending", rq.pending());
        ev.put("requests_known", rq.known());
        ev.put("fraction", round6(frac));
        ev.put("time_of_exits_with_requests_ns", Math.round(ns));
        ev.put("by_reason", by);
        out.add(new Finding(Finding.Kind.REQUESTS_PENDING.id,
                "KVM requests are pending at " + Durations.percent(frac) + " of exits (request handling runs on most entries)",
                "kvm_exit.requests", c.share(Math.round(ns)), ev,
                "Every exit with a pending request runs KVM's request handling before re-entry. Find what raises them "
                        + "(timer and interrupt injection, TLB flushes, clock updates; kvm_exit.requests is a bit mask) and reduce it; "
                        + "an early exit in request handling saves the check on the exits without requests.",
                List.of()));
    }

    private static void bigLock(Ctx c, ConcurrencyTracker conc, List<Finding> out) {
        for (ConcurrencyTracker.VmConcurrency v : conc.results()) {
            long aloneN = 0, aloneNs = 0, busyN = 0, busyNs = 0;
            for (ConcurrencyTracker.Level l : v.levels()) {
                if (l.others() == 0) {
                    aloneN += l.exits();
                    aloneNs += l.totalNs();
                } else {
                    busyN += l.exits();
                    busyNs += l.totalNs();
                }
            }
            if (aloneN < LOCK_MIN_SAMPLES || busyN < LOCK_MIN_SAMPLES) continue;
            double alone = (double) aloneNs / aloneN, busy = (double) busyNs / busyN;
            if (busy < LOCK_FACTOR * alone) continue;
            long excess = 0;
            List<Map<String, Object>> levels = new ArrayList<>();
            for (ConcurrencyTracker.Level l : v.levels()) {
                if (l.others() > 0) excess += Math.max(0, l.totalNs() - Math.round(l.exits() * alone));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("others_in_userspace", l.others());
                m.put("exits", l.exits());
                m.put("mean_ns", l.meanNs());
                levels.add(m);
            }
            List<Map<String, Object>> threads = new ArrayList<>();
            for (Map.Entry<Integer, long[]> t : new TreeMap<>(v.perThread()).entrySet()) {
                long[] x = t.getValue();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("tid", t.getKey());
                m.put("alone_exits", x[0]);
                if (x[0] > 0) m.put("alone_mean_ns", x[1] / x[0]);
                m.put("concurrent_exits", x[2]);
                if (x[2] > 0) m.put("concurrent_mean_ns", x[3] / x[2]);
                threads.add(m);
            }
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("vm", v.vm());
            ev.put("vcpu_threads", v.vcpus());
            ev.put("mean_alone_ns", Math.round(alone));
            ev.put("mean_concurrent_ns", Math.round(busy));
            ev.put("ratio", Math.round(busy / alone * 10) / 10.0);
            ev.put("excess_ns", excess);
            ev.put("by_concurrency", levels);
            if (conc.leftOut() > 0) ev.put("round_trips_left_out", conc.leftOut()); // beyond the tracker's bound, all VMs
            ev.put("threads", threads);
            out.add(new Finding(Finding.Kind.BIG_LOCK.id,
                    "userspace round trips of vm " + v.vm() + " grow with concurrency: " + Durations.format(Math.round(alone)) + " alone, "
                            + Durations.format(Math.round(busy)) + " while other vCPUs are in the VMM (big-lock contention)",
                    "vm " + v.vm(), c.share(excess), ev,
                    "The VMM serializes the vCPUs' exits (QEMU's big lock or another VMM-wide lock). Move the hot devices off it: "
                            + "ioeventfd/irqfd, vhost, an iothread, or a VMM with per-device locking; fewer vCPUs hitting emulated devices.",
                    List.of()));
        }
    }

    private static void kvmModule(Ctx c, List<Finding> out) {
        if (!Boolean.TRUE.equals(c.evidence.kvm().module())) return;
        var saving = c.opt.gainModel().builtInSaving(c.r);
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("kvm_module", true);
        ev.put("evidence", c.evidence.kvm().evidence());
        if (saving.isPresent()) ev.put("projected_gain_share", round6(saving.getAsDouble()));
        out.add(new Finding(Finding.Kind.KVM_MODULE.id, "KVM is a loadable module", "kvm", saving.orElse(0), ev,
                "Module code is reached through indirect calls and lies away from the core kernel text; building KVM in "
                        + "(CONFIG_KVM=y and the vendor module) shortens every exit slightly. The exit-path model projects the effect.",
                List.of()));
    }

    private static void exitTime(Ctx c, List<Finding> out) {
        double dur = c.r.durationSeconds();
        for (StatsSnapshot.Group g : c.byReasonClass.groups()) {
            if (g.blocking()) continue;
            String cls = g.classLabel();
            String reason = g.key().reason();
            double share = c.share(g.totalNs());
            Map<String, Object> ev = groupFigures(c, g, share);
            if (dur > 0) ev.put("rate_per_s", Math.round(g.count() / dur));
            String title = reason + " " + cls + " exits: " + Durations.percent(share) + " of exit time, " + g.count() + " exits"
                    + (g.measured() > 0 ? ", p50 " + Durations.format(g.percentile(50)) + ", p99 " + Durations.format(g.percentile(99)) : ", not timed");
            out.add(new Finding(Finding.Kind.EXIT_TIME.id, title, label(reason, cls), share, ev, reasonAdvice(reason, cls),
                    List.of(label(reason, cls))));
        }
    }

    private static void idle(Ctx c, List<Finding> out) {
        long all = c.overhead + c.idleNs;
        for (StatsSnapshot.Group g : c.byReasonClass.groups()) {
            if (!g.blocking()) continue;
            Map<String, Object> ev = groupFigures(c, g, Double.NaN);
            double ofAll = all == 0 ? 0 : (double) g.totalNs() / all;
            ev.put("share_of_all_exit_time", round6(ofAll));
            String reason = g.key().reason();
            out.add(new Finding(Finding.Kind.IDLE.id,
                    reason + " is guest idle time (" + Durations.percent(ofAll) + " of all exit time), kept out of the overhead ranking",
                    reason, 0, ev,
                    "Blocking exits wait for the guest's next event; their length is idle time, not overhead. If wake-up latency "
                            + "matters, look at halt polling (halt_poll_ns) or guest-side polling (cpuidle-haltpoll).",
                    List.of(label(reason, g.classLabel()))));
        }
    }

    /** The report's numbers for one group, as {@code report --format json} prints them. */
    private static Map<String, Object> groupFigures(Ctx c, StatsSnapshot.Group g, double share) {
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("reason", g.key().reason());
        ev.put("reason_code", g.key().reasonCode());
        ev.put("class", g.classLabel());
        ev.put("count", g.count());
        ev.put("measured", g.measured());
        ev.put("total_ns", g.totalNs());
        ev.put("share", Double.isNaN(share) ? null : round6(share));
        boolean t = g.measured() > 0;
        for (Percentile p : Percentile.SHOWN) {
            ev.put(p.nsField(), t ? g.percentile(p.value) : null);
            long[] ci = g.percentileCi(p.value);
            ev.put(p.nsField() + "_ci", ci == null ? null : java.util.Arrays.asList(ci[0], ci[1] == Intervals.UNBOUNDED ? null : ci[1]));
        }
        ev.put("max_ns", t ? g.max() : null);
        ev.put("userspace_ns", g.userspaceNs());
        Map<String, Object> cc = new LinkedHashMap<>();
        for (var e : g.classCounts().entrySet()) cc.put(e.getKey().label, e.getValue());
        ev.put("class_counts", cc);
        ev.put("blocking", g.blocking());
        return ev;
    }

    /** What to do about a reason that costs time. */
    static String reasonAdvice(String reason, String cls) {
        String r = reason == null ? "" : reason.toUpperCase(Locale.ROOT);
        String a;
        if (r.contains("EPT_MISCONFIG") || r.equals("MMIO")) {
            a = "MMIO to emulated devices: find the guest physical addresses with exitscope report --by subkey (needs kvm_mmio / "
                    + "kvm_fast_mmio events); use virtio devices with ioeventfd and vhost rather than emulated ones.";
        } else if (r.contains("EPT_VIOLATION") || r.equals("NPF")) {
            a = "Guest page faults on memory the host has not mapped: back the guest with huge pages and preallocate it "
                    + "(-mem-prealloc), avoid overcommit, swap and KSM; steady faults after boot point to THP splitting or dirty logging.";
        } else if (r.contains("APIC") || r.contains("EOI") || r.contains("AVIC")) {
            a = "Interrupt controller emulation: enable APICv/AVIC (kvm_intel enable_apicv=1, kvm_amd avic=1) and posted "
                    + "interrupts; in the guest use x2APIC, PV EOI and PV IPIs.";
        } else if (r.startsWith("MSR")) {
            a = "See which MSRs with exitscope report --by subkey (kvm_msr events): TSC deadline (0x6e0) is the guest timer, "
                    + "x2APIC ICR (0x830) are IPIs; APICv, PV IPIs and a tickless guest reduce them.";
        } else if (r.contains("EXTERNAL_INTERRUPT") || r.equals("INTR")) {
            a = "Host interrupts on the CPUs that run vCPUs: steer IRQ affinity and housekeeping away from them (isolcpus, "
                    + "irqaffinity, nohz_full); device interrupts for the guest belong in posted interrupts (VT-d PI).";
        } else if (r.contains("PREEMPTION_TIMER")) {
            a = "Guest timers via the VMX preemption timer: expected with a ticking guest; a tickless (nohz) guest fires fewer.";
        } else if (r.contains("PAUSE")) {
            a = "Pause-loop exits: guest spinlocks spin while a lock holder vCPU is preempted: avoid vCPU overcommit, pin vCPUs, "
                    + "use PV spinlocks, tune ple_gap/ple_window.";
        } else if (r.equals("CPUID")) {
            a = "CPUID always exits: the guest calls it in a hot path; find the caller in the guest.";
        } else if (r.contains("IO_INSTRUCTION") || r.equals("PIO") || r.equals("IOIO")) {
            a = "Port I/O: see which ports with exitscope report --by subkey; notifications belong in ioeventfd, devices in the kernel or virtio.";
        } else if (r.contains("HYPERCALL") || r.contains("VMCALL") || r.contains("VMMCALL")) {
            a = "Hypercalls: see which (kvm_hypercall nr with --by subkey); frequent PV calls (e.g. kick, sched yield) may be avoidable.";
        } else if (r.contains("EXCEPTION") || r.contains("NMI")) {
            a = "Intercepted guest exceptions: check that EPT/NPT is on (no shadow paging) and which vectors are intercepted.";
        } else if (r.contains("DIAG")) {
            a = "s390 DIAG intercepts: DIAG 0x500 virtio notifications belong in ioeventfd; DIAG 0x44/0x9c are yields (vCPU overcommit).";
        } else {
            a = "Drill down with exitscope report --by subkey and --by vcpu to see which addresses and vCPUs cause these exits.";
        }
        if ("userspace".equals(cls)) a = "These exits return to the VMM and back (the expensive path). " + a;
        return a;
    }

    // ------------------------------------------------------------------ ranking

    private static List<Finding> rank(Ctx c, List<Finding> in) {
        record Ranked(Finding f, double rank, int order) {}
        List<Ranked> rs = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            Finding f = in.get(i);
            double rank;
            if (f.kind().equals(Finding.Kind.LOST_EVENTS.id)) {
                rank = f.share() >= LOST_FIRST ? 10 : f.share();
            } else if (f.kind().equals(Finding.Kind.CLASS_UNKNOWN.id)) {
                rank = 9;                                               // qualifies every finding below it
            } else if (f.kind().equals(Finding.Kind.IDLE.id)) {
                rank = -2;
            } else if (f.kind().equals(Finding.Kind.KVM_MODULE.id)) {
                rank = f.share() > 0 ? f.share() : -1;
            } else if (f.isRanking()) {
                rank = f.share();
            } else {
                rank = f.share();
                for (String g : f.groups()) rank = Math.max(rank, c.groupShare.getOrDefault(g, 0.0));
            }
            rs.add(new Ranked(f, rank, i));
        }
        rs.sort(Comparator.comparingDouble(Ranked::rank).reversed()
                .thenComparing(x -> x.f().isRanking())
                .thenComparing(Comparator.comparingDouble((Ranked x) -> x.f().share()).reversed())
                .thenComparingInt(Ranked::order));
        List<Finding> out = new ArrayList<>();
        for (Ranked r : rs) out.add(r.f());
        return List.copyOf(out);
    }
}
