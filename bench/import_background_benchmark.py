"""Background customer import benchmark, run by hand (never by CI) on a
throwaway database, against Odoo as production runs it.

    ~/.cache/crm_customer_ownership/venv-*/bin/python \
        bench/import_background_benchmark.py bench_bg [--rows 100000] \
        [--port 8130] [--no-update] [--odoo-arg=--limit-time-real-cron=600]

Creates the database with the module (without demo data) when it does not
exist, starts Odoo on 127.0.0.1:PORT with ``--workers=2
--max-cron-threads=1`` and the default limits (limit_time_cpu 60 s,
limit_time_real 120 s, limit_time_real_cron = limit_time_real), then, as a
client would over XML-RPC:

1. create: an agent creates the import wizard with a ROWS-row XLSX of new
   customers and calls ``action_import``; the script times the call, then
   polls ``customer.import.log`` (state, progress, counters) until done;
2. update with 20% transfers: one customer in five is handed to four other
   agents with linked data (5 visit reports, 2 open activities, 2 future
   appointments, 1 visit block each), and the agent imports the same file
   with transfer mode "move", which transfers them back.

It samples the peak resident memory (VmHWM) of every Odoo process every half
second and prints, per step, the time of the ``action_import`` request, the
time from the click to the log saying done, and the peak of the workers.
Data is committed: use a database you can drop.
"""

import argparse
import base64
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Imported once the path holds this folder.
import import_benchmark as bench

PASSWORD = "bench-password"
OTHER_AGENTS = 4
# What the job logs after each unit of work (customer_import_log.py).
UNIT_LINE = re.compile(
    r"Customer import (\d+): (\w+) step in ([\d.]+) s \(([\d.]+) s CPU\)"
)


def out(text=""):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


class MemorySampler(threading.Thread):
    """Peak VmHWM per process of the server's tree, sampled twice a second
    (VmHWM is the process's own peak, so short peaks are not missed)."""

    def __init__(self, root_pid):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.peaks = {}
        self.max_load = 0.0
        self.stopped = threading.Event()

    def _tree(self):
        pids, todo = [], [self.root_pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as children:
                    todo += [int(child) for child in children.read().split()]
            except OSError:
                continue
        return pids

    def _role(self, pid):
        if pid == self.root_pid:
            return "master"
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if b"gevent" in cmdline.read().split(b"\0"):
                return "gevent (websocket) worker"
        with open(f"/proc/{pid}/stat") as stat:
            # Odoo's cron workers renice themselves (os.nice(10)).
            nice = int(stat.read().rsplit(")", 1)[1].split()[16])
        return "cron worker" if nice > 0 else "http worker"

    def run(self):
        while not self.stopped.is_set():
            self.max_load = max(self.max_load, os.getloadavg()[0])
            for pid in self._tree():
                try:
                    with open(f"/proc/{pid}/status") as status:
                        hwm = next(
                            int(line.split()[1]) / 1024
                            for line in status
                            if line.startswith("VmHWM:")
                        )
                    title = self._role(pid)
                except (OSError, StopIteration):
                    continue
                old = self.peaks.get(pid, (0, ""))
                self.peaks[pid] = (max(old[0], hwm), title or old[1])
            time.sleep(0.5)

    def snapshot(self):
        return dict(self.peaks)


def start_server(db, port, logfile, extra_args=()):
    args = [
        sys.executable,
        f"{bench.ODOO_SRC}/odoo-bin",
        "--addons-path",
        bench.addons_path(),
        "-d",
        db,
        "--db-filter",
        f"^{db}$",
        "--workers=2",
        "--max-cron-threads=1",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        f"--gevent-port={port + 1}",
        f"--logfile={logfile}",
        "--log-level=info",
        *extra_args,
    ]
    server = subprocess.Popen(args)
    common = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common")
    for _ in range(120):
        try:
            common.version()
            return server
        except OSError:
            time.sleep(1)
    server.terminate()
    raise RuntimeError("Odoo did not start: see " + logfile)


def set_up(db, tag):
    """Users, committed before the server starts."""
    import odoo
    from odoo import SUPERUSER_ID

    with bench.registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, SUPERUSER_ID, {})
        agent = bench.make_user(env, f"bg_agent_{tag}", transfer=True)
        agent.password = PASSWORD
        for k in range(OTHER_AGENTS):
            bench.make_user(env, f"bg_other_{tag}_{k}")
        cr.commit()
        return agent.id


def hand_out_with_linked_data(db, agent_id, tag):
    """One customer in five to the other agents, with linked data."""
    import odoo
    from odoo import SUPERUSER_ID

    with bench.registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        others = env["res.users"].search(
            [("login", "like", f"bg_other_{tag}_")], order="id"
        )
        partners = env["res.partner"].search([("user_id", "=", agent_id)], order="id")
        moved = partners[::5]
        for k, other in enumerate(others):
            moved[k :: len(others)].write({"user_id": other.id})
        bench.add_linked_data(env, moved.ids, tag)
        cr.commit()
        return len(moved)


def unit_times(logfile, log_id):
    """{step: (units, max wall s, max CPU s, CPU s in all)} of the import's
    units of work, from the server log."""
    steps = {}
    with open(logfile) as lines:
        for match in UNIT_LINE.finditer(lines.read()):
            if int(match[1]) != log_id:
                continue
            wall, cpu = float(match[3]), float(match[4])
            count, max_wall, max_cpu, total = steps.get(match[2], (0, 0, 0, 0))
            steps[match[2]] = (
                count + 1,
                max(max_wall, wall),
                max(max_cpu, cpu),
                total + cpu,
            )
    return steps


def run_step(label, models, db, uid, path, sampler, logfile, **vals):
    with open(path, "rb") as stream:
        data = base64.b64encode(stream.read()).decode()
    W = "customer.import.wizard"
    wizard_id = models.execute_kw(
        db,
        uid,
        PASSWORD,
        W,
        "create",
        [{"file": data, "filename": os.path.basename(path), **vals}],
    )
    del data
    before = sampler.snapshot()
    click = time.perf_counter()
    models.execute_kw(db, uid, PASSWORD, W, "action_import", [[wizard_id]])
    answered = time.perf_counter() - click
    [wizard] = models.execute_kw(
        db, uid, PASSWORD, W, "read", [[wizard_id], ["log_id"]]
    )
    log_id = wizard["log_id"][0]
    fields = [
        "state",
        "progress",
        "count_create",
        "count_update",
        "count_unchanged",
        "count_transfer",
        "failure_message",
    ]
    last = None
    while True:
        [log] = models.execute_kw(
            db, uid, PASSWORD, "customer.import.log", "read", [[log_id], fields]
        )
        if (log["state"], log["progress"]) != last:
            last = (log["state"], log["progress"])
            out(
                f"    {time.perf_counter() - click:7.1f} s  {log['state']:<8} "
                f"{log['progress']:3d}%"
            )
        if log["state"] in ("done", "failed"):
            break
        time.sleep(1)
    done = time.perf_counter() - click
    peaks = sampler.snapshot()
    out(
        f"  {label}: action_import answered in {answered:.2f} s; click to "
        f"{log['state']}: {done:.1f} s"
    )
    out(
        "  counts: "
        + ", ".join(
            f"{key[6:]} {log[key]}" for key in fields if key.startswith("count")
        )
    )
    if log["failure_message"]:
        out(f"  failure: {log['failure_message']}")
    for pid, (peak, title) in sorted(peaks.items()):
        grew = "" if before.get(pid, (0,))[0] == peak else " (peak in this step)"
        out(f"    pid {pid:>7} VmHWM {peak:7.0f} MB  {title}{grew}")
    out(f"  highest 1-minute load average so far: {sampler.max_load:.1f}")
    for step, (count, wall, cpu, total) in unit_times(logfile, log_id).items():
        out(
            f"    {step:<5} units: {count:3d}, max {wall:6.1f} s real, "
            f"max {cpu:6.1f} s CPU, {total:7.1f} s CPU in all"
        )
    return log


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--no-update", action="store_true")
    parser.add_argument(
        "--odoo-arg",
        action="append",
        default=[],
        help="extra server option, e.g. --odoo-arg=--limit-time-real-cron=600 "
        "(the default: none, Odoo's default limits)",
    )
    args = parser.parse_args()
    bench.ensure_database(args.db)
    bench.odoo_config(args.db)
    tag = f"G{args.rows}x{int(time.time()) % 100000}"
    out(f"background import benchmark on {args.db}, {os.cpu_count()} CPUs, tag {tag}")
    agent_id = set_up(args.db, tag)
    path = os.path.join(tempfile.gettempdir(), f"{tag}.xlsx")
    bench.write_xlsx(tag, args.rows, path)
    out(f"  XLSX of {args.rows} rows: {os.path.getsize(path) / 1024 / 1024:.1f} MB")
    logfile = os.path.join(tempfile.gettempdir(), f"{tag}-odoo.log")
    server = start_server(args.db, args.port, logfile, args.odoo_arg)
    sampler = MemorySampler(server.pid)
    sampler.start()
    try:
        url = f"http://127.0.0.1:{args.port}/xmlrpc/2"
        uid = xmlrpc.client.ServerProxy(f"{url}/common").authenticate(
            args.db, f"bg_agent_{tag}", PASSWORD, {}
        )
        models = xmlrpc.client.ServerProxy(f"{url}/object", allow_none=True)
        out(f"\n== create: {args.rows} new customers")
        log = run_step(
            "create",
            models,
            args.db,
            uid,
            path,
            sampler,
            logfile,
            import_mode="create",
        )
        assert log["state"] == "done" and log["count_create"] == args.rows, log
        if not args.no_update:
            moved = hand_out_with_linked_data(args.db, agent_id, tag)
            out(f"\n== update: {moved} of {args.rows} customers transferred back")
            log = run_step(
                "update, 20% transferred",
                models,
                args.db,
                uid,
                path,
                sampler,
                logfile,
                import_mode="update",
                transfer_mode="move",
            )
            assert log["state"] == "done" and log["count_transfer"] == moved, log
    finally:
        sampler.stopped.set()
        server.terminate()
        server.wait(timeout=60)
        os.unlink(path)
    with open(logfile) as log_lines:
        text = log_lines.read()
    out(f"\nserver log {logfile}:")
    for needle in ("CPU time limit", "timeout after", "Traceback"):
        out(f"  {text.count(needle):>4} lines with {needle!r}")


if __name__ == "__main__":
    main()
