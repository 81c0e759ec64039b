#!/usr/bin/env bash
# What `mvn package` does after the jar (the pom's "dist" execution):
#   package.sh BASEDIR BUILD_DIR VERSION JAVA_HOME CLASSPATH
#  1. the JVM start-up archives that bin/exitscope uses in a checkout, in BUILD_DIR/startup/:
#     exitscope-<runtime version>.jsa (CDS) for the JDK that runs Maven, and .aot (the AOT cache)
#     for each JDK 24 or later in /usr/lib/jvm (or in EXITSCOPE_AOT_JDKS, a list of JDK homes);
#  2. the completion script and the man pages (BUILD_DIR/docs);
#  3. the bundle BUILD_DIR/exitscope-VERSION-linux-ARCH.tar.gz: a runtime image made by jlink
#     with the modules exitscope uses, the jar, its start-up archive, the launcher, the KVM
#     exerciser (when gcc built it), config/, traces/, completion, man pages.
# A start-up archive or the man pages that cannot be made are left out with a warning; the jar
# works without them.
set -euo pipefail
base=${1:?basedir} target=${2:?build dir} version=${3:?version} jdk=${4:?java home} cp=${5:?class path}
jar=$target/exitscope.jar
# the launcher's JVM options (an archive only maps with the GC and heap mode it was dumped with)
eval "$(grep -E '^(default|jdk24)_jvm_opts=' "$base/bin/exitscope")"
read -r -a jdk24_opts <<< "$jdk24_jvm_opts"
read -r -a jvm_opts <<< "$default_jvm_opts"
warn() { echo "exitscope package: $*" >&2; }

release_value() { sed -n "s/^$2=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$1/release" 2>/dev/null; }
feature_of() { local v; v=$(release_value "$1" JAVA_VERSION); echo "${v%%[.+-]*}"; }

# The training run: the commands users start most, in one JVM (StartupTraining), on the bundled
# traces. CDS takes the classes it loaded (a class list), the AOT cache also what it linked and
# profiled.
t=$base/traces
training=(--version ";" --help ";" report --help ";" triage --help ";"
  report "$t/pvm-ioeventfd-ab.dat" ";" report --format json "$t/pvm-ioeventfd-ab.dat" ";"
  report --by subkey --format csv "$t/pvm-ioeventfd-ab.dat" ";"
  triage "$t/pvm-ioeventfd-ab.dat" ";" triage --format json "$t/pvm-ioeventfd-ab.dat" ";"
  compare "$t/sim-s390-diag500-ioeventfd-off.dat" "$t/sim-s390-diag500-ioeventfd-on.dat" ";"
  model "$t/sim-s390-diag500-ioeventfd-off.dat" ";" dump --count "$t/pvm-ioeventfd-ab.dat" ";"
  info "$t/pvm-ioeventfd-ab.dat")

# cds_archive JAVA_HOME JAR CLASSLIST OUT: a static CDS archive of the listed classes, JDK and ours
cds_archive() {
  local log=$4.log
  rm -f "$4"
  if "$1/bin/java" "${jvm_opts[@]}" -Xshare:dump -XX:SharedClassListFile="$3" -XX:SharedArchiveFile="$4" \
      -cp "$2" > "$log" 2>&1 && [ -s "$4" ]; then
    rm -f "$log"
  else
    warn "no CDS archive for $1 (see $log)"
    rm -f "$4"
  fi
}

# 1. the checkout's archives
startup=$target/startup
rm -rf "$startup"
mkdir -p "$startup"
# zstd-jni's native library for this architecture, out of the jar: bin/exitscope names it
# (ZstdNativePath), else zstd-jni copies it to a temp file at every start, which cost 150-350 ms
# in a fresh JVM here (File.createTempFile seeds a SecureRandom) against 5-20 ms to load it.
case $(uname -m) in x86_64) zstd_arch=amd64 ;; *) zstd_arch=$(uname -m) ;; esac
zstd_entry=$("$jdk/bin/jar" tf "$jar" | grep -m1 "^linux/$zstd_arch/libzstd-jni-.*\.so$" || true)
zstd_lib=$startup/libzstd-jni.so
if [ -n "$zstd_entry" ] && (cd "$startup" && "$jdk/bin/jar" xf "$jar" "$zstd_entry") && mv "$startup/$zstd_entry" "$zstd_lib" && touch "$zstd_lib"; then
  rm -rf "$startup/linux"
  jvm_opts+=("-DZstdNativePath=$zstd_lib")
else
  warn "no zstd-jni library for linux/$zstd_arch in the jar: zstd-jni copies one at every start, or aircompressor decodes"
  zstd_lib=
fi
classlist=$startup/classes.lst
if "$jdk/bin/java" "${jvm_opts[@]}" -XX:DumpLoadedClassList="$classlist" -cp "$jar" \
    io.exitscope.cli.StartupTraining "${training[@]}" 2> "$startup/training.log"; then
  rm -f "$startup/training.log"
  cds_archive "$jdk" "$jar" "$classlist" "$startup/exitscope-$(release_value "$jdk" JAVA_RUNTIME_VERSION).jsa"
else
  warn "the start-up training run failed (see $startup/training.log); no start-up archives"
  rm -f "$classlist"
fi
if [ -n "${EXITSCOPE_AOT_JDKS+set}" ]; then
  read -r -a aot_jdks <<< "$EXITSCOPE_AOT_JDKS"
else
  aot_jdks=(/usr/lib/jvm/*)
fi
for home in "${aot_jdks[@]}"; do
  [ -x "$home/bin/java" ] && [ ! -L "$home" ] || continue
  f=$(feature_of "$home")
  [ -n "$f" ] && [ "$f" -ge 24 ] 2>/dev/null && [ -s "$classlist" ] || continue
  out=$startup/exitscope-$(release_value "$home" JAVA_RUNTIME_VERSION).aot
  # one step since JDK 25 (JEP 514): the training run, then the cache is written at exit
  if "$home/bin/java" "${jvm_opts[@]}" "${jdk24_opts[@]}" -XX:AOTCacheOutput="$out" -cp "$jar" \
      io.exitscope.cli.StartupTraining "${training[@]}" > "$out.log" 2>&1 && [ -s "$out" ]; then
    rm -f "$out.log"
  else
    warn "no AOT cache for $home (see $out.log)"
    rm -f "$out"
  fi
done

# 2. completion and man pages
docs=$target/docs
rm -rf "$docs"
if ! "$jdk/bin/java" -cp "$cp" io.exitscope.cli.ManPagesAndCompletion "$docs"; then
  warn "the completion script and man pages could not be generated (above): the bundle has none"
  rm -rf "$docs" && mkdir -p "$docs/adoc"
elif command -v asciidoctor >/dev/null 2>&1; then
  asciidoctor -b manpage -D "$docs/man1" "$docs"/adoc/*.adoc
else
  warn "asciidoctor is not installed (apt-get install asciidoctor): the bundle has no man pages"
fi

# 3. the bundle
arch=$(uname -m)
name=exitscope-$version
dist=$target/dist
stage=$dist/$name
# The JDK modules exitscope uses (jdeps over the jar says which, as the test BundleIT checks):
# java.logging (JLine, the Prometheus client), jdk.httpserver (the Prometheus endpoint),
# jdk.unsupported (sun.misc.Unsafe in aircompressor). Not java.desktop: only Lanterna's Swing
# terminal and colour conversions and JLine's console engine use it, and exitscope none of them.
modules=java.base,java.logging,jdk.httpserver,jdk.unsupported
runtime_id="$modules $(release_value "$jdk" JAVA_RUNTIME_VERSION)"
mkdir -p "$dist"
if [ ! -x "$stage/runtime/bin/java" ] || [ "$(cat "$dist/runtime.id" 2>/dev/null)" != "$runtime_id" ]; then
  rm -rf "$stage/runtime" "$dist/runtime.id"
  mkdir -p "$stage"
  # no --compress: the tarball is smaller when gzip gets the class files whole (15.7 MB, against
  # 18.3 MB for --compress=2 here), and nothing needs inflating at start
  if ! "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
      --release-info "add:JAVA_RUNTIME_VERSION=\"$(release_value "$jdk" JAVA_RUNTIME_VERSION)\"" \
      --output "$stage/runtime"; then
    warn "jlink failed (does $jdk have jmods/?): no bundle"
    exit 0
  fi
  echo "$runtime_id" > "$dist/runtime.id"
fi
find "$stage" -mindepth 1 -maxdepth 1 ! -name runtime -exec rm -rf {} +
mkdir -p "$stage/bin" "$stage/lib" "$stage/share/bash-completion/completions"
cp -p "$base/bin/exitscope" "$stage/bin/"
cp -p "$jar" "$stage/lib/"
[ -z "$zstd_lib" ] || cp -p "$zstd_lib" "$stage/lib/"
if [ -x "$target/native/kvm-exerciser" ]; then
  mkdir -p "$stage/lib/native" && cp -p "$target/native/kvm-exerciser" "$stage/lib/native/"
fi
cp -pr "$base/config" "$base/traces" "$base/README.md" "$stage/"
[ ! -f "$docs/exitscope_completion" ] || cp "$docs/exitscope_completion" "$stage/share/bash-completion/completions/exitscope"
if [ -d "$docs/man1" ]; then
  mkdir -p "$stage/share/man" && cp -r "$docs/man1" "$stage/share/man/"
fi
if [ -s "$classlist" ]; then
  # dumped with the class path the bundle's launcher gives (see there): the jar as fd 3
  exec 3<"$stage/lib/exitscope.jar"
  cds_archive "$stage/runtime" /dev/fd/3 "$classlist" "$stage/lib/exitscope-$(release_value "$stage/runtime" JAVA_RUNTIME_VERSION).jsa"
  exec 3<&-
fi
tarball=$target/$name-linux-$arch.tar.gz
tar -C "$dist" --owner=0 --group=0 --numeric-owner -czf "$tarball.tmp" "$name"
mv "$tarball.tmp" "$tarball"
