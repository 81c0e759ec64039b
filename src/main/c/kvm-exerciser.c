/*
 * kvm-exerciser — a tiny, deterministic KVM guest that produces VM exits on demand.
 *
 * This is the host-side counterpart of kvm-unit-tests' vmexit tests: instead of timing exits
 * from inside the guest, it runs a few hand-assembled real-mode instructions in a one-vCPU VM
 * and counts, exactly, every exit that reaches userspace.  exitscope uses it to produce real
 * exits whose number is known in advance, so that what the tracepoints (kvm_pio,
 * kvm_userspace_exit, kvm_mmio, kvm_fpu, ...) report can be checked event for event, and to
 * record large traces for decoder benchmarks (bench/record-exerciser-trace.sh).
 *
 * The VM: one 64 KiB memory slot at guest physical 0, one vCPU in real mode (CS base 0,
 * selector 0), code at 0x1000, no in-kernel irqchip (so HLT exits to userspace).  The rest of
 * the slot is filled with HLT, so a guest that ran astray would stop with an unexpected exit.
 *
 * Guest programs (see build_guest_code() for the exact bytes):
 *   pio    one `out dx, al` to PORT per iteration          -> 1 KVM_EXIT_IO per iteration
 *   mixed  RATIO x `out` to PORT, then 1 x `out` to OTHER  -> RATIO+1 KVM_EXIT_IO per iteration,
 *          or, with ioeventfd on PORT, only the OTHER one reaches userspace
 *   pio-ioeventfd  the mixed program with KVM_IOEVENTFD registered for PORT
 *   mmio   one byte write to an unbacked guest address     -> 1 KVM_EXIT_MMIO per iteration
 *   hlt    `hlt`, then the VMM re-enters                    -> 1 KVM_EXIT_HLT per iteration
 *
 * One *iteration* is one pass of the guest loop.  The last instruction of every pass is always
 * one that exits to userspace, so the VMM only ever stops the guest at an iteration boundary;
 * the per-port write counts in the JSON are therefore exact (iterations x writes per pass),
 * also for the writes that ioeventfd kept inside the kernel.  Those are also counted by the
 * eventfd itself (read once at the end, never in the hot loop) as a cross-check.
 *
 * The hot loop is KVM_RUN plus a switch on exit_reason: no other system call.  The time limit
 * (--seconds) is a setitimer() alarm whose handler only sets a flag; SIGINT and SIGTERM do the
 * same.  A signal makes KVM_RUN return with EINTR (KVM_EXIT_INTR, counted like every other
 * return to userspace, as the kvm_userspace_exit tracepoint does); the VMM then lets the guest
 * finish its current iteration and prints the JSON as usual.
 *
 * Output: one line of JSON on stdout (documented in --help and bench/README.md).
 * Exit codes: 0 ok; 2 /dev/kvm missing, not permitted or not usable; 1 any other failure.
 *
 * Build: gcc -O2 -Wall -Wextra -std=gnu11 -o kvm-exerciser kvm-exerciser.c  (src/main/c/build.sh)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_NOKVM 2

#define GUEST_MEM_SIZE 0x10000u /* 64 KiB slot at guest physical 0 */
#define GUEST_CODE_ADDR 0x1000u /* where the loop starts (CS:IP = 0000:1000) */
#define REAL_MODE_LIMIT 0x100000u /* 1 MiB: highest address + 1 reachable with a 16-bit segment */
#define MAX_RATIO 4096u /* unrolled code must fit between 0x1000 and the end of the slot */
#define MAX_REASONS 64u /* exit reasons are small integers; larger ones share the last slot */

#define DEFAULT_PORT 0x500u
#define DEFAULT_OTHER_PORT 0x3f8u
#define DEFAULT_RATIO 4u
#define DEFAULT_MMIO_ADDR 0xd0000u /* D000:0000, above the slot, below 1 MiB, unbacked */
#define DEFAULT_ITERATIONS 1000u

enum mode { MODE_PIO, MODE_PIO_IOEVENTFD, MODE_MMIO, MODE_HLT, MODE_MIXED };
static const char *const mode_names[] = { "pio", "pio-ioeventfd", "mmio", "hlt", "mixed" };

/* Names of KVM_EXIT_* codes, independent of the installed <linux/kvm.h> version. */
static const char *const exit_names[] = {
	"KVM_EXIT_UNKNOWN", "KVM_EXIT_EXCEPTION", "KVM_EXIT_IO", "KVM_EXIT_HYPERCALL",
	"KVM_EXIT_DEBUG", "KVM_EXIT_HLT", "KVM_EXIT_MMIO", "KVM_EXIT_IRQ_WINDOW_OPEN",
	"KVM_EXIT_SHUTDOWN", "KVM_EXIT_FAIL_ENTRY", "KVM_EXIT_INTR", "KVM_EXIT_SET_TPR",
	"KVM_EXIT_TPR_ACCESS", "KVM_EXIT_S390_SIEIC", "KVM_EXIT_S390_RESET", "KVM_EXIT_DCR",
	"KVM_EXIT_NMI", "KVM_EXIT_INTERNAL_ERROR", "KVM_EXIT_OSI", "KVM_EXIT_PAPR_HCALL",
	"KVM_EXIT_S390_UCONTROL", "KVM_EXIT_WATCHDOG", "KVM_EXIT_S390_TSCH", "KVM_EXIT_EPR",
	"KVM_EXIT_SYSTEM_EVENT", "KVM_EXIT_S390_STSI", "KVM_EXIT_IOAPIC_EOI", "KVM_EXIT_HYPERV",
	"KVM_EXIT_ARM_NISV", "KVM_EXIT_X86_RDMSR", "KVM_EXIT_X86_WRMSR",
	"KVM_EXIT_DIRTY_RING_FULL", "KVM_EXIT_AP_RESET_HOLD", "KVM_EXIT_X86_BUS_LOCK",
	"KVM_EXIT_XEN", "KVM_EXIT_RISCV_SBI", "KVM_EXIT_RISCV_CSR", "KVM_EXIT_NOTIFY",
	"KVM_EXIT_LOONGARCH_IOCSR", "KVM_EXIT_MEMORY_FAULT", "KVM_EXIT_TDX",
};
#define N_EXIT_NAMES (sizeof(exit_names) / sizeof(exit_names[0]))

struct options {
	enum mode mode;
	unsigned port, other_port, ratio;
	unsigned mmio_addr;
	uint64_t max_iterations; /* 0 = no limit */
	double seconds;          /* 0 = no limit */
	int cpu;                 /* -1 = not pinned */
	int ioeventfd;           /* register KVM_IOEVENTFD for --port */
};

struct vm {
	int kvm_fd, vm_fd, vcpu_fd, event_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
};

/* Everything the hot loop counts.  Plain integers, written only by the vCPU thread. */
struct counters {
	uint64_t iterations;          /* completed guest loop passes */
	uint64_t userspace_exits;     /* returns from KVM_RUN (incl. EINTR), = kvm_userspace_exit */
	uint64_t by_reason[MAX_REASONS];
	uint64_t io_port, io_other;   /* KVM_EXIT_IO writes (io.count summed) per expected port */
	uint64_t io_unexpected;       /* KVM_EXIT_IO to any other port, or a read */
	unsigned io_unexpected_port;
	uint64_t mmio_expected, mmio_unexpected;
};

static volatile sig_atomic_t stop_signal; /* SIGINT/SIGTERM number, or 0 */
static volatile sig_atomic_t time_is_up;  /* set by SIGALRM (--seconds) */

static void on_signal(int sig)
{
	if (sig == SIGALRM)
		time_is_up = 1;
	else
		stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: kvm-exerciser [OPTIONS]\n"
"Runs a tiny real-mode KVM guest that causes a known number of VM exits, then prints one line\n"
"of JSON with exact counters on stdout.\n"
"\n"
"  -m, --mode MODE        guest program (default pio):\n"
"                           pio            `out dx,al` to --port, one per iteration; every write\n"
"                                          is a KVM_EXIT_IO handled here in userspace\n"
"                           mixed          --ratio writes to --port, then one to --other-port,\n"
"                                          per iteration (default 4 x 0x500 + 1 x 0x3f8)\n"
"                           pio-ioeventfd  the mixed program with KVM_IOEVENTFD on --port: those\n"
"                                          writes stay in the kernel, only --other-port exits\n"
"                           mmio           one byte write to --mmio-addr per iteration\n"
"                                          (KVM_EXIT_MMIO)\n"
"                           hlt            `hlt` per iteration (KVM_EXIT_HLT), then re-enter\n"
"  -p, --port PORT        I/O port of the main writes (default 0x%x)\n"
"  -P, --other-port PORT  port written once per iteration in mixed/ioeventfd programs\n"
"                         (default 0x%x)\n"
"  -r, --ratio N          writes to --port per write to --other-port, 1..%u (default %u)\n"
"  -a, --mmio-addr ADDR   unbacked guest physical address for mmio, 0x%x..0x%x\n"
"                         (default 0x%x)\n"
"  -e, --ioeventfd        register KVM_IOEVENTFD for --port (pio, mixed); pio then runs the\n"
"                         mixed program, as otherwise nothing would ever reach userspace\n"
"  -n, --iterations N     stop after N guest loop iterations (0 = no limit; default %u unless\n"
"                         --seconds is given)\n"
"  -s, --seconds S        stop after S seconds (fractions allowed; checked by a timer signal)\n"
"  -c, --cpu C            pin the vCPU thread (this process) to CPU C\n"
"  -h, --help             show this help\n"
"\n"
"One iteration is one pass of the guest loop; the guest is only ever stopped at the end of a\n"
"pass (the VMM lets it finish the current pass when the time is up or on SIGINT/SIGTERM), so\n"
"the counts are exact.  With both --iterations and --seconds, whichever comes first wins.\n"
"\n"
"JSON fields: mode, ioeventfd, port, other_port, ratio, mmio_addr (ports and addresses as\n"
"\"0x..\" strings, null when unused), cpu, iterations, userspace_exits (returns from KVM_RUN,\n"
"= kvm_userspace_exit events), exits_by_reason {\"KVM_EXIT_IO\":n,...}, io_by_port (writes\n"
"seen by this VMM per port), mmio_by_addr, guest_writes_by_port (`out` instructions the guest\n"
"executed per port, including those ioeventfd kept in the kernel), guest_mmio_writes,\n"
"guest_hlts, ioeventfd_signals (eventfd counter read at the end, null without ioeventfd),\n"
"elapsed_ns (first KVM_RUN to last return), stopped_by (iterations|seconds|signal|error),\n"
"pid, tid.\n"
"\n"
"Exit status: 0 success; 2 /dev/kvm missing, not permitted or unusable; 1 other failures.\n",
		DEFAULT_PORT, DEFAULT_OTHER_PORT, MAX_RATIO, DEFAULT_RATIO, GUEST_MEM_SIZE,
		REAL_MODE_LIMIT - 1, DEFAULT_MMIO_ADDR, DEFAULT_ITERATIONS);
}

/* Parses an unsigned number (decimal, 0x hex or 0 octal); exits 1 on garbage or overflow. */
static uint64_t parse_u64(const char *opt, const char *s, uint64_t max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		fprintf(stderr, "kvm-exerciser: invalid value for %s: '%s' (0..%" PRIu64 ")\n",
			opt, s, max);
		exit(EXIT_FAIL);
	}
	return v;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "port", required_argument, NULL, 'p' },
		{ "other-port", required_argument, NULL, 'P' },
		{ "ratio", required_argument, NULL, 'r' },
		{ "mmio-addr", required_argument, NULL, 'a' },
		{ "ioeventfd", no_argument, NULL, 'e' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int have_iterations = 0, c;
	char *end;

	*o = (struct options){ .mode = MODE_PIO, .port = DEFAULT_PORT,
			       .other_port = DEFAULT_OTHER_PORT, .ratio = DEFAULT_RATIO,
			       .mmio_addr = DEFAULT_MMIO_ADDR, .cpu = -1 };
	while ((c = getopt_long(argc, argv, "m:p:P:r:a:en:s:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': {
			size_t i;
			for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
				if (strcmp(optarg, mode_names[i]) == 0)
					break;
			if (i == sizeof(mode_names) / sizeof(mode_names[0])) {
				fprintf(stderr, "kvm-exerciser: unknown mode '%s' "
					"(pio, pio-ioeventfd, mmio, hlt, mixed)\n", optarg);
				exit(EXIT_FAIL);
			}
			o->mode = (enum mode)i;
			break;
		}
		case 'p': o->port = (unsigned)parse_u64("--port", optarg, 0xffff); break;
		case 'P': o->other_port = (unsigned)parse_u64("--other-port", optarg, 0xffff); break;
		case 'r': o->ratio = (unsigned)parse_u64("--ratio", optarg, MAX_RATIO); break;
		case 'a':
			o->mmio_addr = (unsigned)parse_u64("--mmio-addr", optarg, REAL_MODE_LIMIT - 1);
			break;
		case 'e': o->ioeventfd = 1; break;
		case 'n':
			o->max_iterations = parse_u64("--iterations", optarg, UINT64_MAX);
			have_iterations = 1;
			break;
		case 's':
			errno = 0;
			o->seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->seconds > 0) || o->seconds > 1e7) {
				fprintf(stderr, "kvm-exerciser: invalid value for --seconds: '%s'\n",
					optarg);
				exit(EXIT_FAIL);
			}
			break;
		case 'c': o->cpu = (int)parse_u64("--cpu", optarg, CPU_SETSIZE - 1); break;
		case 'h': usage(stdout); exit(EXIT_OK);
		default:
			fprintf(stderr, "Try 'kvm-exerciser --help'.\n");
			exit(EXIT_FAIL);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kvm-exerciser: unexpected argument '%s'\n", argv[optind]);
		exit(EXIT_FAIL);
	}
	if (o->ratio < 1) {
		fprintf(stderr, "kvm-exerciser: --ratio must be at least 1\n");
		exit(EXIT_FAIL);
	}
	if (o->mode == MODE_PIO_IOEVENTFD)
		o->ioeventfd = 1;
	if (o->ioeventfd && o->mode != MODE_PIO && o->mode != MODE_PIO_IOEVENTFD &&
	    o->mode != MODE_MIXED) {
		fprintf(stderr, "kvm-exerciser: --ioeventfd only applies to pio and mixed modes\n");
		exit(EXIT_FAIL);
	}
	/* A pio loop whose only port is handled in the kernel would never come back. */
	if (o->ioeventfd)
		o->mode = o->mode == MODE_MIXED ? MODE_MIXED : MODE_PIO_IOEVENTFD;
	if ((o->mode == MODE_MIXED || o->mode == MODE_PIO_IOEVENTFD) && o->port == o->other_port) {
		fprintf(stderr, "kvm-exerciser: --port and --other-port must differ\n");
		exit(EXIT_FAIL);
	}
	if (o->mode == MODE_MMIO && o->mmio_addr < GUEST_MEM_SIZE) {
		fprintf(stderr, "kvm-exerciser: --mmio-addr 0x%x is inside guest RAM "
			"(0..0x%x); use 0x%x..0x%x\n", o->mmio_addr, GUEST_MEM_SIZE - 1,
			GUEST_MEM_SIZE, REAL_MODE_LIMIT - 1);
		exit(EXIT_FAIL);
	}
	if (!have_iterations && o->seconds == 0)
		o->max_iterations = DEFAULT_ITERATIONS;
}

/* True when the program runs RATIO writes to --port and one to --other-port per pass. */
static int uses_other_port(const struct options *o)
{
	return o->mode == MODE_MIXED || o->mode == MODE_PIO_IOEVENTFD;
}

/*
 * Writes the guest loop at GUEST_CODE_ADDR.  Hand-assembled 16-bit real-mode code:
 *
 *   pio:    1000: ba LL HH    mov dx, PORT
 *           1003: ee          out dx, al          <- loop: 1 exit per pass
 *           1004: eb fd       jmp 1003
 *
 *   mixed / pio-ioeventfd (RATIO = 4 gives exactly the reference trace's program):
 *           1000: ba LL HH    mov dx, PORT
 *           1003: ee x RATIO  out dx, al          (unrolled)
 *                 ba LL HH    mov dx, OTHER
 *                 ee          out dx, al          <- the pass ends with an exit to userspace
 *                 eb rel8     jmp 1000            (e9 rel16 when RATIO is large)
 *
 *   mmio:   DS = ADDR >> 4 (set through KVM_SET_SREGS)
 *           1000: a2 LL HH    mov [ADDR & 0xf], al
 *           1003: eb fb       jmp 1000
 *
 *   hlt:    1000: f4          hlt                 (no in-kernel irqchip: KVM_EXIT_HLT)
 *           1001: eb fd       jmp 1000
 *
 * AL is 0, so every write stores 0.
 */
/* Emits `mov dx, imm16` (ba lo hi) and returns the next free byte. */
static uint8_t *emit_mov_dx(uint8_t *p, unsigned port)
{
	*p++ = 0xba;
	*p++ = (uint8_t)(port & 0xff);
	*p++ = (uint8_t)(port >> 8);
	return p;
}

static void build_guest_code(uint8_t *mem, const struct options *o)
{
	uint8_t *p = mem + GUEST_CODE_ADDR;
	unsigned i;

	memset(mem, 0xf4, GUEST_MEM_SIZE); /* HLT everywhere: a stray guest stops loudly */
	switch (o->mode) {
	case MODE_PIO:
		p = emit_mov_dx(p, o->port);
		*p++ = 0xee;
		*p++ = 0xeb; *p++ = 0xfd;
		break;
	case MODE_MIXED:
	case MODE_PIO_IOEVENTFD: {
		p = emit_mov_dx(p, o->port);
		for (i = 0; i < o->ratio; i++)
			*p++ = 0xee;
		p = emit_mov_dx(p, o->other_port);
		*p++ = 0xee;
		/* jmp back to GUEST_CODE_ADDR, relative to the end of the jmp instruction */
		long rel8 = (long)GUEST_CODE_ADDR - (long)(p - mem + 2);
		if (rel8 >= -128) {
			*p++ = 0xeb; *p++ = (uint8_t)(int8_t)rel8;
		} else {
			long rel16 = (long)GUEST_CODE_ADDR - (long)(p - mem + 3);
			*p++ = 0xe9; *p++ = (uint8_t)(rel16 & 0xff); *p++ = (uint8_t)((rel16 >> 8) & 0xff);
		}
		break;
	}
	case MODE_MMIO:
		*p++ = 0xa2; *p++ = (uint8_t)(o->mmio_addr & 0xf); *p++ = 0;
		*p++ = 0xeb; *p++ = 0xfb;
		break;
	case MODE_HLT:
		*p++ = 0xf4;
		*p++ = 0xeb; *p++ = 0xfd;
		break;
	}
}

/* Opens /dev/kvm and checks the API; exits 2 with one sentence if KVM cannot be used. */
static int open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT || e == ENODEV || e == ENXIO)
			fprintf(stderr, "kvm-exerciser: /dev/kvm is missing (KVM not available on "
				"this host: %s)\n", strerror(e));
		else if (e == EACCES || e == EPERM)
			fprintf(stderr, "kvm-exerciser: permission denied opening /dev/kvm (run as "
				"root or join the kvm group)\n");
		else
			fprintf(stderr, "kvm-exerciser: cannot open /dev/kvm: %s\n", strerror(e));
		exit(EXIT_NOKVM);
	}
	int api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api < 0) {
		fprintf(stderr, "kvm-exerciser: /dev/kvm is unusable: KVM_GET_API_VERSION: %s\n",
			strerror(errno));
		exit(EXIT_NOKVM);
	}
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvm-exerciser: /dev/kvm is unusable: KVM API version %d, "
			"expected %d\n", api, KVM_API_VERSION);
		exit(EXIT_NOKVM);
	}
	return fd;
}

static void die(const char *what)
{
	fprintf(stderr, "kvm-exerciser: %s: %s\n", what, strerror(errno));
	exit(EXIT_FAIL);
}

/* Creates the VM, its memory slot, the optional ioeventfd and the real-mode vCPU. */
static void setup_vm(struct vm *vm, const struct options *o)
{
	vm->event_fd = -1;
	vm->kvm_fd = open_kvm();

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0UL);
	if (vm->vm_fd < 0) {
		fprintf(stderr, "kvm-exerciser: /dev/kvm is unusable: KVM_CREATE_VM failed: %s\n",
			strerror(errno));
		exit(EXIT_NOKVM);
	}

	/*
	 * VMX without unrestricted guest needs a TSS area to run real mode; harmless elsewhere.
	 * Placed far above the slot, as QEMU does.  Failure is not fatal (not every KVM has it).
	 */
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0)
		(void)ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);

	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap guest memory");
	build_guest_code(vm->mem, o);

	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM_SIZE,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	if (o->ioeventfd) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0) {
			fprintf(stderr, "kvm-exerciser: this KVM has no KVM_CAP_IOEVENTFD\n");
			exit(EXIT_FAIL);
		}
		/* Non-blocking: the counter is read once at the end and must never stall us. */
		vm->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (vm->event_fd < 0)
			die("eventfd");
		struct kvm_ioeventfd ioev = {
			.addr = o->port,
			.len = 1, /* `out dx, al` writes one byte; no datamatch: any value */
			.fd = vm->event_fd,
			.flags = KVM_IOEVENTFD_FLAG_PIO,
		};
		if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &ioev) < 0)
			die("KVM_IOEVENTFD");
	}

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0UL);
	if (vm->vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	int sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = (size_t)sz;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run");

	/* Real mode: CS = 0 (base 0), IP = the loop; DS points at the MMIO target's paragraph. */
	struct kvm_sregs sregs;
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.selector = o->mode == MODE_MMIO ? (uint16_t)(o->mmio_addr >> 4) : 0;
	sregs.ds.base = (uint64_t)sregs.ds.selector << 4;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");

	struct kvm_regs regs;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE_ADDR;
	regs.rflags = 0x2; /* bit 1 is reserved and must be set; interrupts off */
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Describes, on stderr, an exit the guest program never produces. */
static void unexpected_exit(const struct kvm_run *run)
{
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, "kvm-exerciser: KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx\n",
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "kvm-exerciser: KVM_EXIT_INTERNAL_ERROR, suberror %u\n",
			run->internal.suberror);
		break;
	default:
		fprintf(stderr, "kvm-exerciser: unexpected exit %s (%u)\n",
			run->exit_reason < N_EXIT_NAMES ? exit_names[run->exit_reason] : "?",
			run->exit_reason);
	}
}

/*
 * The hot loop.  Returns the reason it stopped.  Only KVM_RUN is called in here; counters are
 * plain memory.  `boundary` is set when the exit just handled ended a guest loop pass: only
 * then may the loop stop, so the guest always completes whole iterations.
 */
static const char *run_loop(struct vm *vm, const struct options *o, struct counters *c)
{
	struct kvm_run *run = vm->run;
	const unsigned port = o->port, other = o->other_port;
	const int two_ports = uses_other_port(o);
	const uint64_t max_it = o->max_iterations;

	for (;;) {
		int r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
		c->userspace_exits++;
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "kvm-exerciser: KVM_RUN: %s\n", strerror(errno));
			return "error";
		}
		unsigned reason = run->exit_reason;
		c->by_reason[reason < MAX_REASONS ? reason : MAX_REASONS - 1]++;

		int boundary = 0;
		switch (reason) {
		case KVM_EXIT_IO: {
			uint64_t n = run->io.count; /* 1 for `out dx, al` */
			if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == port) {
				c->io_port += n;
				boundary = !two_ports;
			} else if (run->io.direction == KVM_EXIT_IO_OUT && two_ports &&
				   run->io.port == other) {
				c->io_other += n;
				boundary = 1;
			} else {
				c->io_unexpected += n;
				c->io_unexpected_port = run->io.port;
				fprintf(stderr, "kvm-exerciser: unexpected port %s 0x%x\n",
					run->io.direction == KVM_EXIT_IO_OUT ? "write" : "read",
					run->io.port);
				return "error";
			}
			break;
		}
		case KVM_EXIT_MMIO:
			if (o->mode == MODE_MMIO && run->mmio.is_write &&
			    run->mmio.phys_addr == o->mmio_addr) {
				c->mmio_expected++;
				boundary = 1;
			} else {
				c->mmio_unexpected++;
				fprintf(stderr, "kvm-exerciser: unexpected MMIO %s at 0x%llx\n",
					run->mmio.is_write ? "write" : "read",
					(unsigned long long)run->mmio.phys_addr);
				return "error";
			}
			break;
		case KVM_EXIT_HLT:
			if (o->mode != MODE_HLT) {
				unexpected_exit(run);
				return "error";
			}
			boundary = 1;
			break;
		case KVM_EXIT_INTR:
			break; /* a signal (timer, SIGINT/SIGTERM) interrupted KVM_RUN */
		default:
			unexpected_exit(run);
			return "error";
		}

		if (boundary) {
			c->iterations++;
			if (max_it && c->iterations >= max_it)
				return "iterations";
			if (stop_signal)
				return "signal";
			if (time_is_up)
				return "seconds";
		}
	}
}

static void print_json(const struct options *o, const struct counters *c, const char *stopped_by,
		       uint64_t elapsed_ns, int64_t ioeventfd_signals)
{
	const int two_ports = uses_other_port(o);
	const int is_pio = o->mode == MODE_PIO || two_ports;
	int first = 1;
	unsigned i;

	printf("{\"mode\":\"%s\",\"ioeventfd\":%s,", mode_names[o->mode],
	       o->ioeventfd ? "true" : "false");
	if (is_pio)
		printf("\"port\":\"0x%x\",", o->port);
	else
		printf("\"port\":null,");
	if (two_ports)
		printf("\"other_port\":\"0x%x\",\"ratio\":%u,", o->other_port, o->ratio);
	else
		printf("\"other_port\":null,\"ratio\":null,");
	if (o->mode == MODE_MMIO)
		printf("\"mmio_addr\":\"0x%x\",", o->mmio_addr);
	else
		printf("\"mmio_addr\":null,");
	printf("\"cpu\":%d,\"iterations\":%" PRIu64 ",\"userspace_exits\":%" PRIu64 ",",
	       o->cpu, c->iterations, c->userspace_exits);

	printf("\"exits_by_reason\":{");
	for (i = 0; i < MAX_REASONS; i++) {
		if (!c->by_reason[i])
			continue;
		if (i < N_EXIT_NAMES)
			printf("%s\"%s\":%" PRIu64, first ? "" : ",", exit_names[i], c->by_reason[i]);
		else
			printf("%s\"KVM_EXIT_%u\":%" PRIu64, first ? "" : ",", i, c->by_reason[i]);
		first = 0;
	}
	printf("},");

	/* What reached this VMM, per port / address. */
	printf("\"io_by_port\":{");
	first = 1;
	if (c->io_port) {
		printf("\"0x%x\":%" PRIu64, o->port, c->io_port);
		first = 0;
	}
	if (c->io_other) {
		printf("%s\"0x%x\":%" PRIu64, first ? "" : ",", o->other_port, c->io_other);
		first = 0;
	}
	if (c->io_unexpected)
		printf("%s\"0x%x\":%" PRIu64, first ? "" : ",", c->io_unexpected_port,
		       c->io_unexpected);
	printf("},\"mmio_by_addr\":{");
	if (c->mmio_expected)
		printf("\"0x%x\":%" PRIu64, o->mmio_addr, c->mmio_expected);
	printf("},");

	/* What the guest executed: exact, because it only stops at the end of a loop pass. */
	printf("\"guest_writes_by_port\":{");
	if (o->mode == MODE_PIO)
		printf("\"0x%x\":%" PRIu64, o->port, c->iterations);
	else if (two_ports)
		printf("\"0x%x\":%" PRIu64 ",\"0x%x\":%" PRIu64, o->port,
		       c->iterations * o->ratio, o->other_port, c->iterations);
	printf("},\"guest_mmio_writes\":%" PRIu64 ",\"guest_hlts\":%" PRIu64 ",",
	       o->mode == MODE_MMIO ? c->iterations : 0,
	       o->mode == MODE_HLT ? c->iterations : 0);
	if (ioeventfd_signals >= 0)
		printf("\"ioeventfd_signals\":%" PRId64 ",", ioeventfd_signals);
	else
		printf("\"ioeventfd_signals\":null,");
	printf("\"elapsed_ns\":%" PRIu64 ",\"stopped_by\":\"%s\",\"pid\":%d,\"tid\":%ld}\n",
	       elapsed_ns, stopped_by, (int)getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct options o;
	struct vm vm;
	static struct counters c; /* zeroed */

	parse_args(argc, argv, &o);

	if (o.cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET((size_t)o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			fprintf(stderr, "kvm-exerciser: cannot pin to CPU %d: %s\n", o.cpu,
				strerror(errno));
			return EXIT_FAIL;
		}
	}

	setup_vm(&vm, &o);

	/* No SA_RESTART: a signal must make KVM_RUN return so the loop can see the flag. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	uint64_t t0 = now_ns();
	if (o.seconds > 0) {
		struct itimerval it;
		memset(&it, 0, sizeof(it));
		it.it_value.tv_sec = (time_t)o.seconds;
		it.it_value.tv_usec = (suseconds_t)((o.seconds - (double)it.it_value.tv_sec) * 1e6);
		if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
			it.it_value.tv_usec = 1;
		/* One shot: the flag stays set, and the guest always comes back within one pass. */
		if (setitimer(ITIMER_REAL, &it, NULL) < 0)
			die("setitimer");
	}
	const char *stopped_by = run_loop(&vm, &o, &c);
	uint64_t elapsed = now_ns() - t0;

	if (o.seconds > 0) {
		struct itimerval off;
		memset(&off, 0, sizeof(off));
		setitimer(ITIMER_REAL, &off, NULL);
	}

	int64_t signals = -1;
	if (vm.event_fd >= 0) {
		uint64_t v = 0;
		/* EAGAIN means the counter is 0: nothing was written to the port in the kernel. */
		signals = read(vm.event_fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? (int64_t)v : 0;
	}
	print_json(&o, &c, stopped_by, elapsed, signals);

	munmap(vm.run, vm.run_size);
	munmap(vm.mem, GUEST_MEM_SIZE);
	if (vm.event_fd >= 0)
		close(vm.event_fd);
	close(vm.vcpu_fd);
	close(vm.vm_fd);
	close(vm.kvm_fd);
	return strcmp(stopped_by, "error") == 0 ? EXIT_FAIL : EXIT_OK;
}
