#!/usr/bin/env bash
# A real single-node Slurm cluster on localhost for the cohort tests: its own
# munged (own key and socket), slurmctld and slurmd, all state under DIR.
#   tests/slurm/cluster.sh start DIR   start (or reuse a running one); writes DIR/env
#   tests/slurm/cluster.sh stop DIR    stop what start started
# Clients find it with `. DIR/env` (SLURM_CONF). Needs Debian's slurmctld,
# slurmd, slurm-client and munge, and root (slurmd starts jobs as their user);
# where either is missing it prints "skipped: ..." and exits 77.
# Where MCINR_TEST_SLURM_CLUSTER names a cluster folder that is already up
# (.ci/run starts one before the tests), start only links DIR/env to it and
# stop leaves it to its owner.
set -euo pipefail
action=${1:?start or stop} dir=${2:?cluster folder}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2> /dev/null; }

stop() {
  # Jobs first, so no job outlives its cluster.
  if running "$dir/slurmctld.pid"; then
    export SLURM_CONF=$dir/slurm.conf
    jobs=$(squeue -h -o %A 2> /dev/null || true)
    if [ -n "$jobs" ]; then
      scancel $jobs 2> /dev/null || true
      for _ in $(seq 50); do [ -z "$(squeue -h -o %A 2> /dev/null)" ] && break; sleep 0.2; done
    fi
  fi
  for daemon in slurmd slurmctld munged; do
    if running "$dir/$daemon.pid"; then
      pid=$(cat "$dir/$daemon.pid")
      kill "$pid" 2> /dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2> /dev/null || true
    fi
    rm -f "$dir/$daemon.pid"
  done
  # A step daemon left behind (its job ended while slurmctld was down).
  for pid in $(pgrep -x slurmstepd || true); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2> /dev/null | grep -qxF "SLURM_CONF=$dir/slurm.conf"; then
      kill -9 "$pid" 2> /dev/null || true
    fi
  done
  rm -f "$dir/env"
  echo "slurm test cluster in $dir stopped"
}

external=${MCINR_TEST_SLURM_CLUSTER:-}
if [ -n "$external" ] && [ "$(cd "$external" 2> /dev/null && pwd)" != "$dir" ]; then
  if [ "$action" = stop ]; then
    rm -f "$dir/env"
    echo "slurm test cluster in $external left running for its owner"
    exit 0
  fi
  [ -f "$external/env" ] || { echo "MCINR_TEST_SLURM_CLUSTER=$external: no cluster is up there" >&2; exit 1; }
  ln -sf "$external/env" "$dir/env"
  echo "slurm test cluster: using the one in $external"
  exit 0
fi
if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

for tool in munged slurmctld slurmd sbatch squeue scontrol sinfo; do
  command -v "$tool" > /dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "skipped: $tool is not installed (apt-get install slurmctld slurmd slurm-client munge)"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "skipped: starting slurmd needs root"; exit 77; }
export PATH=$PATH:/usr/sbin

if running "$dir/slurmctld.pid" && running "$dir/slurmd.pid" && [ -f "$dir/env" ]; then
  echo "slurm test cluster in $dir is already running"
  exit 0
fi
stop > /dev/null

# A fresh start: no jobs or node state from an earlier run.
rm -rf "$dir/state" "$dir/spool"
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
chmod 755 "$dir"  # clients read slurm.conf; the munge key itself is 0400
# munge: a key of its own, a socket of its own.
[ -f "$dir/munge.key" ] || { dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none; chmod 400 "$dir/munge.key"; }
munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" --pid-file="$dir/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munged.seed"

# Two free TCP ports for slurmctld and slurmd.
read -r ctld_port slurmd_port < <(python3 - << 'PY' 2> /dev/null || echo "16817 16818"
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])
PY
)
cpus=$(nproc)
# Memory for jobs: 80% of what is available now, in MiB.
mem=$(awk '/MemAvailable/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
cat > "$dir/slurm.conf" << CONF
ClusterName=mcinrtest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
DefMemPerCPU=1024
KillWait=30
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
echo "SLURM_CONF=$dir/slurm.conf; export SLURM_CONF" > "$dir/env.pending"
export SLURM_CONF=$dir/slurm.conf
slurmctld -i
slurmd -N localhost
# Wait until the node takes jobs.
for _ in $(seq 100); do
  state=$(sinfo -h -n localhost -o %T 2> /dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
if [ "$state" != idle ]; then
  echo "the slurm test cluster did not come up (node state '${state:-none}'); logs in $dir/log" >&2
  tail -n 5 "$dir"/log/*.log >&2 || true
  stop > /dev/null
  exit 1
fi
mv "$dir/env.pending" "$dir/env"
echo "slurm test cluster up in $dir: 1 node, $cpus CPUs, $mem MiB; SLURM_CONF=$SLURM_CONF"
