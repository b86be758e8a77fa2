#!/usr/bin/env bash
# `make test`: every stage of the suite, in order, each timed; the first stage that fails fails it.
#
#   test-lib         pytest on the library (a worker per core)
#   test-notebooks   nbval re-executes every chapter (a worker per core) and keeps what it executed
#   test-build       the English site, strict, from the notebooks as nbval just executed them  } at the
#   test-build-zh    the Chinese site, strict (its notebooks executed with Chinese figure text)} same time
#   test-site        the browser tests of both editions                                        } at the
#   test-pdf         the whole-book PDF, then its test                                         } same time
#
# Two stages run at the same time where each leaves a core free: a Sphinx build takes one core,
# so the two editions build side by side, and XeLaTeX takes one beside the browser. Each stage's
# time is its own, from its start to its end (so the times of two such stages overlap, and the
# total is less than their sum). The second stage of a pair writes its output to
# _build/test-logs/STAGE.log, printed when both have ended.
#
# Beside each time, the CPU time the machine spent meanwhile (user and system time of every
# process, from /proc/stat, so any other load on the machine counts too; for a pair, both stages
# together): the work the suite asks of the machine, which on N cores needs at least 1/N of it
# in wall time. It includes Chromium's processes, which the shell's `time` does not see.
set -uo pipefail
MAKE=${MAKE:-make}
LOGS=_build/test-logs
RUN=_build/nbval-executed
mkdir -p "$LOGS"
t0=$(date +%s)
summary=""

now() { date +%s; }

cpu() {  # CPU time spent by the whole machine since boot, in hundredths of a second
  awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 }' /proc/stat 2>/dev/null || echo 0
}

core_s() {  # core_s START: CPU seconds since the cpu reading START
  echo $(( ($(cpu) - $1) / 100 ))
}

took() {  # took STAGE SECONDS [NOTE]
  summary+="  $1 $2 s${3:+ ($3)}"
  echo "make test: $1 took $2 s${3:+ ($3)}"
}

fail() {  # fail STAGE SECONDS
  echo "make test: $1 FAILED after $2 s (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  exit 1
}

stage() {  # stage STAGE [make arguments]: one stage alone, its output shown as it comes
  local name=$1 t c
  shift
  t=$(now)
  c=$(cpu)
  $MAKE --no-print-directory "$@" || fail "$name" $(( $(now) - t ))
  took "$name" $(( $(now) - t )) "$(core_s "$c") CPU s"
}

pair() {  # pair STAGE_A "make arguments" STAGE_B "make arguments" (shell words): both at once
  local a=$1 a_args=$2 b=$3 b_args=$4 t c ra ta rb tb pid
  t=$(now)
  c=$(cpu)
  ( tb0=$(now); eval "$MAKE --no-print-directory $b_args" >"$LOGS/$b.log" 2>&1
    echo "$? $(( $(now) - tb0 ))" >"$LOGS/$b.rc" ) &
  pid=$!
  eval "$MAKE --no-print-directory $a_args"
  ra=$?
  ta=$(( $(now) - t ))
  wait "$pid"
  local used
  used=$(core_s "$c")
  read -r rb tb <"$LOGS/$b.rc"
  echo "make test: ---- the output of $b (it ran alongside $a), from $LOGS/$b.log ----"
  cat "$LOGS/$b.log"
  echo "make test: ---- end of the output of $b ----"
  [ "$ra" -eq 0 ] || fail "$a" "$ta"
  [ "$rb" -eq 0 ] || fail "$b" "$tb"
  took "$a" "$ta" "alongside $b; the two: $used CPU s"
  took "$b" "$tb" "alongside $a"
}

c0=$(cpu)
stage test-lib test-lib
stage test-notebooks test-notebooks NBVAL_KEEP="$RUN"
pair test-build "test-build NBVAL_EXECUTED=$RUN" \
     test-build-zh "book-zh-build ZH_FLAGS='--warningiserror --keep-going'"
stage "test-build-zh (into _build/html)" book-zh-install
pair test-site "test-site" test-pdf "test-pdf"
echo "make test: all checks passed in $(( $(now) - t0 )) s:$summary (load: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "make test: the machine spent $(core_s "$c0") CPU s meanwhile, on $(nproc) cores"
