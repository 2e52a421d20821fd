"""Odoo's cron runner (18.0 or 19.0, through compat), run on the test's
transaction.

``run()`` is the runner's own path: ``ir.cron._acquire_one_job`` reads the
job with its last progress record, ``ir.cron._process_job`` runs it
(``_run_job``: a progress record per call stamped with the previous
timed-out count + 1, ``_callback``, the counter reset to 0 after each call
that returns, up to 10 calls -- 18's ``MAX_BATCH_PER_CRON_JOB``, 19's
``MIN_RUNS_PER_JOB`` --, the failure count).

``run_killed()`` is a run whose worker dies inside the callback: the runner's
steps up to the callback (the progress record committed, as ``_run_job``
commits it before calling), then nothing: the job's transaction is gone and
the counter is never reset, which is what the next run reads.
"""

from odoo import api
from odoo.tools import SQL

from ..compat import (
    cron_calls_per_run,
    cron_job_context,
    cron_process_job,
    registry_test_mode,
)


class WorkerKilled(BaseException):
    """What a worker killed by its limits looks like from the job: nothing
    the job can catch (BaseException), and the transaction is gone."""


class CronRunner:
    def __init__(self, case, xmlid):
        self.case = case
        self.xmlid = xmlid

    @property
    def env(self):
        return self.case.env

    @property
    def cron(self):
        return self.env.ref(self.xmlid)

    def _test_mode(self):
        """The runner's cursors are the test's transaction (as in Odoo's own
        tests of the runner, base/tests/test_ir_cron.py)."""
        return registry_test_mode(self.case)

    def _acquire(self, registry):
        # The job is due: the import's own trigger is dated by the test's
        # (possibly frozen) clock, which the database's now() does not know.
        self.env.cr.execute(
            SQL(
                "UPDATE ir_cron SET nextcall = '2000-01-01' WHERE id = %s",
                self.cron.id,
            )
        )
        job = registry["ir.cron"]._acquire_one_job(self.env.cr, self.cron.id)
        self.case.assertTrue(job, "the cron job is ready and active")
        return job

    def last_progress(self):
        return self.env["ir.cron.progress"].search(
            [("cron_id", "=", self.cron.id)], order="id desc", limit=1
        )

    def run(self, max_calls=None):
        """One job run as a cron worker runs it; ``max_calls`` lowers the
        runner's calls per run (10) to watch one call at a time."""
        with self._test_mode() as registry:
            job = self._acquire(registry)
            # The runner's cursor is closed after the job, as the runner's
            # own is: left open, a test cursor keeps the registry's test
            # lock and every later request of an HTTP test waits on it (19).
            with cron_calls_per_run(max_calls or 10), registry.cursor() as cron_cr:
                cron_process_job(registry, cron_cr, job)

    def run_killed(self):
        """A run whose worker is killed inside the callback: the caller
        makes the job raise ``WorkerKilled`` (patching a unit of work)."""
        with self._test_mode() as registry:
            job = self._acquire(registry)
            job_cr = registry.cursor()
            try:
                env = api.Environment(job_cr, job["user_id"], cron_job_context(job))
                cron = env["ir.cron"].browse(job["id"])
                cron, _progress = cron._add_progress(
                    timed_out_counter=job["timed_out_counter"]
                )
                job_cr.commit()
                # Not assertRaises: Odoo's wraps a savepoint of the test's
                # cursor around the call, under the job cursor's own.
                try:
                    cron._callback(job["cron_name"], job["ir_actions_server_id"])
                except WorkerKilled:
                    job_cr.rollback()
                else:
                    self.case.fail("the job was not killed")
            finally:
                job_cr.close()

    def run_until_done(self, is_done, limit=20):
        for _ in range(limit):
            if is_done():
                return
            self.run()
        self.case.fail("the cron job did not finish its work")
