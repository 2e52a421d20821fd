import ast
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError

from odoo.addons.crm_customer_ownership.models import customer_import_log
from odoo.addons.crm_customer_ownership.models.customer_import import CustomerImport
from odoo.addons.crm_customer_ownership.models.customer_import_log import (
    PLAN_PROGRESS,
    CustomerImportLog,
)

from ..compat import USER_GROUPS_FIELD, cron_run_context, unit_commits
from .cron_runner import CronRunner, WorkerKilled
from .import_common import CustomerImportCase

NOW = datetime(2026, 5, 4, 9, 0, 0)
LOG = "odoo.addons.crm_customer_ownership.models.customer_import_log"
CRON = "crm_customer_ownership.ir_cron_run_customer_imports"


@freeze_time(NOW)
@patch(f"{LOG}.CHUNK_LINES", 2)
@patch(f"{LOG}.PLAN_ROWS_PER_LINE", 1)
class TestCustomerImportBackground(CustomerImportCase):
    """Files over the background threshold are queued by the wizard and
    imported by the scheduled action, planned in slices of two rows and
    applied in chunks of two plan lines here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Under the runner, 19 commits each unit as it reports its progress.
        cls.startClassPatcher(unit_commits(cls.cr))
        cls.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_background_rows", 3
        )
        cls.maier[USER_GROUPS_FIELD] += cls.env.ref(
            "crm_customer_ownership.group_customer_transfer"
        )
        for customer in cls.customers_huber[:2]:
            cls._add_history(customer, cls.huber, NOW)
        cls.Log = cls.env["customer.import.log"]
        # Maier's list: his customer updated, two of Huber's transferred with
        # their history, three new ones: 6 rows, 3 chunks.
        cls.maier_rows = [
            ("M001", "Maier Customer Renamed", "", "Linz", "AT"),
            ("H001", "Huber Customer 1", "", "Graz", "AT"),
            ("H002", "Huber Customer 2", "", "", ""),
            ("N001", "New One", "n1@example.com", "Wien", "AT"),
            ("N002", "New Two", "", "Wels", "AT"),
            ("N003", "New Three", "", "", "DE"),
        ]

    def _queue(self, user, rows, header=None, **vals):
        wizard = self._wizard(user, self._csv(rows, header=header), **vals)
        wizard.action_import()
        return wizard

    def _run_jobs(self, limit=50):
        """Call the scheduled action as the cron runner would, until no
        import is queued or running."""
        for _ in range(limit):
            if not self.Log.search([("state", "in", ("queued", "running"))]):
                return
            self.Log._cron_run_imports()
        self.fail("the background import did not finish")

    def _plan_in_background(self, log):
        """Run the units that plan ``log``: read the file, plan its slices
        of rows, check the plan across rows."""
        for _ in range(20):
            if log.is_planned or log.state not in ("queued", "running"):
                return
            self.Log._cron_run_imports()
        self.fail("the background import was not planned")

    def _uninterrupted_state(self):
        """``_maier_state`` after Maier's move import runs uninterrupted,
        then rolled back."""
        savepoint = self.env.cr.savepoint()
        self._queue(self.maier, self.maier_rows, transfer_mode="move")
        self._run_jobs()
        state = self._maier_state()
        savepoint.close(rollback=True)
        return state

    def _maier_state(self):
        """Everything the import decides, without ids: Maier's customers,
        their visit reports, the ownership history, the log's counts."""
        customers = self.Partner.with_context(active_test=False).search(
            [("user_id", "=", self.maier.id)]
        )
        reports = self.env["customer.visit.report"].search(
            [("partner_id", "in", customers.ids)]
        )
        history = self.env["customer.ownership.history"].search(
            [("partner_id", "in", customers.ids)]
        )
        log = self.Log.search([("agent_id", "=", self.maier.id)], limit=1)
        return {
            "lines": [
                (
                    line.sequence,
                    line.row,
                    line.key,
                    line.action,
                    line.partner_id.external_ref,
                    line.message,
                )
                for line in log.line_ids
            ],
            "customers": sorted(
                (c.external_ref, c.name, c.city or "", c.active, bool(c.trashed_at))
                for c in customers
            ),
            "reports": sorted(
                (r.partner_id.external_ref, r.summary or "") for r in reports
            ),
            "history": sorted(
                (h.partner_id.external_ref, h.from_user_id.login, h.to_user_id.login)
                for h in history
            ),
            "counts": (
                log.state,
                log.progress,
                log.count_create,
                log.count_update,
                log.count_transfer,
                log.line_count,
                log.applied_line_count,
            ),
        }

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------

    def test_small_file_imports_at_once(self):
        wizard = self._queue(self.maier, self.maier_rows[:3], transfer_mode="move")
        self.assertEqual(wizard.log_id.state, "done")
        self.assertFalse(wizard.log_id.attachment_id)
        self.assertEqual(wizard.log_id.count_transfer, 2)

    def test_large_file_is_queued_and_returns_at_once(self):
        cron = self.env.ref(CRON)
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        wizard = self._queue(self.maier, self.maier_rows, transfer_mode="move")
        log = wizard.log_id
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.log_state, "queued")
        self.assertEqual((log.state, log.progress), ("queued", 0))
        self.assertEqual(log.user_id, self.maier)
        self.assertEqual(log.attachment_id.raw, self._csv(self.maier_rows))
        self.assertFalse(self.Partner.search([("external_ref", "=", "N001")]))
        self.assertEqual(self.customers_huber[0].user_id, self.huber)
        new_triggers = (
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers
        )
        self.assertTrue(new_triggers, "the cron is woken up at once")

    def test_xlsx_over_threshold_goes_to_background(self):
        data = self._xlsx(self.maier_rows)
        self.assertTrue(self.Log._is_background_file(data))
        self.assertFalse(self.Log._is_background_file(self._xlsx(self.maier_rows[:3])))
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_background_rows", 6
        )
        self.assertFalse(self.Log._is_background_file(data))
        self.assertFalse(self.Log._is_background_file(self._csv(self.maier_rows)))

    def test_queueing_checks_the_rights_at_once(self):
        with self.assertRaises(AccessError):
            self._queue(self.huber, self.maier_rows, user_id=self.maier.id)
        self.assertFalse(self.Log.search([("agent_id", "=", self.maier.id)]))

    # ------------------------------------------------------------------
    # Job
    # ------------------------------------------------------------------

    def test_background_import_end_to_end(self):
        wizard = self._queue(self.maier, self.maier_rows, transfer_mode="move")
        log = wizard.log_id
        bus_before = self.env["bus.bus"].search([]).ids
        self.Log._cron_run_imports()
        self.assertEqual((log.is_read, log.row_count), (True, 6))
        self.Log._cron_run_imports()
        self.assertEqual(log.planned_row_count, 2)
        self.assertEqual(
            log.line_ids.mapped("action"), ["update", "transfer"] + ["pending"] * 4
        )
        self._plan_in_background(log)
        self.assertEqual((log.state, log.progress), ("running", PLAN_PROGRESS))
        self.assertTrue(log.is_planned)
        self.assertEqual(log.line_count, 6)
        self.assertEqual(
            (log.count_create, log.count_update, log.count_transfer), (3, 1, 2)
        )
        self.assertFalse(self.Partner.search([("external_ref", "=", "N001")]))
        self.Log._cron_run_imports()
        self.assertEqual(log.applied_line_count, 2)
        self.assertEqual(log.progress, PLAN_PROGRESS + (100 - PLAN_PROGRESS) * 2 // 6)
        self._run_jobs()
        self.assertEqual((log.state, log.progress), ("done", 100))
        self.assertFalse(log.attachment_id, "the file is not kept once imported")
        self.assertEqual(self.customers_huber[:2].user_id, self.maier)
        self.assertEqual(len(self.customers_huber[0].visit_report_ids), 2)
        self.assertEqual(self.customer_maier.name, "Maier Customer Renamed")
        new = self.Partner.search([("external_ref", "in", ("N001", "N002", "N003"))])
        self.assertEqual(new.user_id, self.maier)
        self.assertEqual(len(new), 3)
        created = log.line_ids.filtered(lambda line: line.action == "create")
        self.assertEqual(created.partner_id, new, "lines point at the new customers")
        self.assertEqual(
            set(wizard.action_view_customers()["domain"][0][2]),
            set((new | self.customers_huber[:2] | self.customer_maier).ids),
        )
        # The importing user is told: a message in the inbox, a notification.
        message = log.message_ids[0]
        self.assertIn(self.maier.partner_id, message.partner_ids)
        self.assertIn("Created: 3", message.body)
        self.assertIn("transferred: 2", message.body)
        self.assertIn(
            f"/odoo/customer.import.log/{log.id}/action-"
            "crm_customer_ownership.customer_import_log_line_action",
            message.body,
        )
        self.assertIn("customer_import_log_customers_action", message.body)
        notifications = self.env["bus.bus"].search(
            [("id", "not in", bus_before), ("message", "like", "simple_notification")]
        )
        self.assertEqual(len(notifications), 1)
        self.assertIn("Customer import done", notifications.message)
        self.assertIn(
            f'"res.partner",{self.maier.partner_id.id}]', notifications.channel
        )

    def test_cron_reports_progress_to_the_runner(self):
        """With the progress reported, Odoo's cron runner commits and calls
        again while units remain: that is what chains the chunks. A normal
        run is stamped with a timed-out count of 1 and reset to 0: it never
        reads as a killed run (nothing halved)."""
        runner = CronRunner(self, CRON)
        before = runner.last_progress().id or 0
        log = self._queue(self.maier, self.maier_rows, transfer_mode="move").log_id
        runner.run()
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", runner.cron.id), ("id", ">", before)], order="id"
        )
        # Read (then 3 slices of 2 rows and the checks remain), 3 slices,
        # the checks (then 3 chunks of 2 lines remain), 3 chunks.
        self.assertEqual(
            [(p.done, p.remaining) for p in progress],
            [(1, 4), (1, 3), (1, 2), (1, 1), (1, 3), (1, 2), (1, 1), (1, 0)],
        )
        self.assertEqual(set(progress.mapped("timed_out_counter")), {0})
        self.assertEqual((log.state, log.chunk_lines), ("done", 2))
        self.assertEqual(runner.cron.failure_count, 0)
        self.assertEqual(self.customers_huber[:2].user_id, self.maier)

    def test_pass_budget_stops_a_pass(self):
        """Under the cron runner the worker's limits cover a whole pass of
        up to ten units: past the budget a unit waits for the next pass."""
        cron = self.env.ref(CRON)
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        Log = self.Log.with_context(**cron_run_context(progress))
        self.env.cr.cache.pop(customer_import_log.PASS_CACHE_KEY, None)
        self.assertTrue(Log._pass_budget_left(heavy=True), "first unit of a pass")
        start, cpu = self.env.cr.cache[customer_import_log.PASS_CACHE_KEY]
        self.env.cr.cache[customer_import_log.PASS_CACHE_KEY] = (start - 5, cpu)
        self.assertFalse(Log._pass_budget_left(heavy=True), "planning starts a pass")
        self.assertTrue(Log._pass_budget_left(heavy=False))
        self.env.cr.cache[customer_import_log.PASS_CACHE_KEY] = (start - 60, cpu)
        self.assertFalse(Log._pass_budget_left(heavy=False))
        self.env.cr.cache.pop(customer_import_log.PASS_CACHE_KEY)
        self.assertTrue(self.Log._pass_budget_left(heavy=True), "no runner, no pass")

    def test_killed_after_chunk_k_ends_as_uninterrupted(self):
        uninterrupted = self._uninterrupted_state()
        self.assertNotEqual(
            self._maier_state()["customers"], uninterrupted["customers"]
        )

        original = CustomerImport._apply_lines
        calls = []

        def killed_in_second_chunk(engine, lines, options, kinds=None):
            calls.append(len(lines))
            original(engine, lines, options, kinds)
            if len(calls) == 2:
                raise WorkerKilled()

        wizard = self._queue(self.maier, self.maier_rows, transfer_mode="move")
        log = wizard.log_id
        with patch.object(CustomerImport, "_apply_lines", killed_in_second_chunk):
            self._plan_in_background(log)
            self.Log._cron_run_imports()  # chunk 1
            with self.assertRaises(WorkerKilled):
                self.Log._cron_run_imports()  # chunk 2, rolled back
        self.assertEqual(log.state, "running")
        self.assertEqual(log.applied_line_count, 2, "chunk 1 stays, chunk 2 is gone")
        self.assertFalse(self.Partner.search([("external_ref", "=", "N001")]))
        self._run_jobs()
        self.assertEqual(self._maier_state(), uninterrupted)
        self.assertEqual(len(self.Partner.search([("external_ref", "=", "N002")])), 1)

    @staticmethod
    def _killed_in_call(method, k, calls):
        """``method``, whose worker is killed once its k-th call has done
        its work, before the runner commits; ``calls`` records the calls."""

        def killed_in_call_k(log):
            calls.append(log.id)
            method(log)
            if len(calls) == k:
                raise WorkerKilled()

        return killed_in_call_k

    def test_killed_in_planning_unit_k_ends_as_uninterrupted(self):
        """A worker killed inside a planning unit (reading the file, a slice
        of rows, the checks across rows) commits nothing of it; the next run
        does that unit again, and the import ends as if nothing happened:
        the same plan lines, none twice, the same customers and history."""
        uninterrupted = self._uninterrupted_state()
        # Units: read, slices of rows 1-2, 3-4, 5-6, checks; what the units
        # before the killed one committed.
        for method, k, committed in (
            ("_read_file", 1, (False, 0, False)),
            ("_plan_chunk", 1, (True, 0, False)),
            ("_plan_chunk", 2, (True, 2, False)),
            ("_plan_chunk", 3, (True, 4, False)),
            ("_check_plan", 1, (True, 6, False)),
        ):
            with self.subTest(unit=method, k=k):
                savepoint = self.env.cr.savepoint()
                calls = []
                killed_in_unit_k = self._killed_in_call(
                    getattr(CustomerImportLog, method), k, calls
                )
                log = self._queue(
                    self.maier, self.maier_rows, transfer_mode="move"
                ).log_id
                with patch.object(CustomerImportLog, method, killed_in_unit_k):
                    # Not assertRaises: it would roll the units before back.
                    try:
                        self._run_jobs()
                    except WorkerKilled:
                        calls.append("killed")
                    self.assertEqual(calls[-1], "killed")
                    self.assertEqual(
                        (log.is_read, log.planned_row_count, log.is_planned),
                        committed,
                    )
                    self.assertEqual(len(log.line_ids), 6 if log.is_read else 0)
                    self._run_jobs()
                self.assertEqual(self._maier_state(), uninterrupted)
                self.assertEqual(len(log.line_ids), 6)
                savepoint.close(rollback=True)

    def _assert_halved_then_failed(self, log, done_field):
        """A unit of 2 killed: retried with 1, which commits one and moves
        on; killed again at the smallest size: the import fails, saying so,
        with what was done kept (``done_field`` counts it)."""
        self._run_after_kills(1)
        self.assertEqual((log.chunk_lines, log[done_field]), (1, 1))
        self._run_after_kills(1)
        self.assertEqual(log.state, "failed")
        self.assertIn("a chunk of 1 rows", log.failure_message)
        self.assertEqual(log[done_field], 1)

    @patch(f"{LOG}.MIN_CHUNK_LINES", 1)
    def test_slice_killed_by_the_limits_is_retried_smaller(self):
        log = self._queue(self.maier, self.maier_rows, transfer_mode="move").log_id
        self.Log._cron_run_imports()  # read
        self._assert_halved_then_failed(log, "planned_row_count")
        log.with_user(self.maier).action_resume()
        self._run_jobs()
        self.assertEqual((log.state, log.line_count), ("done", 6))
        self.assertEqual(
            len(
                self.Partner.search([("external_ref", "in", ("N001", "N002", "N003"))])
            ),
            3,
        )

    def test_checks_across_slices_plan_as_the_immediate_import(self):
        """Rows in different slices naming one customer (by Odoo ID and by
        ERP Number), an ERP Number on two rows, a customer the file no
        longer lists: the background plan is the immediate import's, line
        for line."""
        self.Partner.create(
            {"name": "Maier Two", "external_ref": "M002", "user_id": self.maier.id}
        )
        header = ("id", *self.HEADER)
        rows = [
            ("", "N001", "New One", "", "", ""),
            (self.customer_maier.id, "", "Maier by ID", "", "", ""),
            ("", "N002", "New Two", "", "", ""),
            ("", "M001", "Maier by ERP Number", "", "", ""),
            ("", "N001", "New One Again", "", "", ""),
            ("", "N003", "New Three", "", "Linz", "AT"),
        ]
        data = self._csv(rows, header=header)
        options = {"import_mode": "update_delete", "key_fields": "both"}
        immediate = (
            self.env["customer.import"]
            .with_user(self.maier)
            ._plan_import(data, "customers.csv", self.maier, **options)
        )
        log = self._queue(self.maier, rows, header=header, **options).log_id
        self._run_jobs()
        self.assertEqual(log.state, "failed", "the plan has row errors")
        self.assertEqual(
            [
                (
                    line.row,
                    line.key,
                    line.action,
                    line.partner_id.id,
                    line.message or "",
                    line.vals or {},
                )
                for line in log.line_ids
            ],
            [
                (
                    line["row"],
                    line["key"],
                    line["action"],
                    line["partner_id"] or False,
                    line["message"] or "",
                    line["vals"],
                )
                for line in immediate["lines"]
            ],
        )
        self.assertEqual(
            [line.action for line in log.line_ids],
            ["error", "error", "create", "error", "error", "create", "trash"],
        )
        self.assertEqual(
            {action: log[f"count_{action}"] for action in immediate["counts"]},
            immediate["counts"],
        )

    def test_two_queued_imports_for_different_salespeople(self):
        huber_rows = [
            (c.external_ref, c.name, "", "Innsbruck", "AT")
            for c in self.customers_huber[2:]
        ] + [("HN01", "Huber New", "", "", "")]
        huber_log = self._queue(self.huber, huber_rows).log_id
        maier_log = self._queue(
            self.maier, self.maier_rows, transfer_mode="move"
        ).log_id
        self.assertEqual((huber_log.state, maier_log.state), ("queued", "queued"))
        self.Log._cron_run_imports()
        self.assertEqual(huber_log.state, "running", "oldest first")
        self.assertEqual(maier_log.state, "queued")
        self._run_jobs()
        self.assertEqual((huber_log.state, maier_log.state), ("done", "done"))
        self.assertEqual(set(self.customers_huber[2:].mapped("city")), {"Innsbruck"})
        self.assertEqual(
            self.Partner.search([("external_ref", "=", "HN01")]).user_id, self.huber
        )
        self.assertEqual(self.customers_huber[:2].user_id, self.maier)
        self.assertEqual(huber_log.count_update, 3)
        self.assertEqual(maier_log.count_transfer, 2)
        # Each importer is told about their own import only.
        self.assertEqual(huber_log.message_ids.partner_ids, self.huber.partner_id)
        self.assertEqual(maier_log.message_ids.partner_ids, self.maier.partner_id)

    # ------------------------------------------------------------------
    # Failures
    # ------------------------------------------------------------------

    def test_row_errors_fail_the_job_before_anything_is_written(self):
        rows = [*self.maier_rows[3:], ("N004", "Bad Country", "", "", "XX")]
        log = self._queue(self.maier, rows).log_id
        self._run_jobs()
        self.assertEqual(log.state, "failed")
        self.assertIn("row 5", log.failure_message)
        self.assertIn("XX", log.failure_message)
        self.assertFalse(self.Partner.search([("external_ref", "like", "N00")]))
        self.assertEqual(log.count_error, 1)
        error_line = log.line_ids.filtered(lambda line: line.action == "error")
        self.assertEqual(error_line.row, 5)
        self.assertIn(
            "for Test Maier failed: Nothing was imported", log.message_ids[0].body
        )
        with self.assertRaises(UserError):
            log.with_user(self.maier).action_resume()

    def test_file_stored_without_index_and_deleted_after_the_retention(self):
        rows = [*self.maier_rows[3:], ("N004", "Bad Country", "", "", "XX")]
        failed = self._queue(self.maier, rows).log_id
        done = self._queue(self.maier, self.maier_rows, transfer_mode="move").log_id
        files = (failed | done).attachment_id
        self.assertEqual(len(files), 2)
        self.assertFalse(
            [
                text
                for text in files.mapped("index_content")
                if "New One" in (text or "")
            ]
        )
        self._run_jobs()
        self.assertEqual(failed.state, "failed")
        self.assertTrue(failed.attachment_id)
        retention = self.Partner._get_trash_retention_days()
        with freeze_time(NOW + timedelta(days=retention - 1)):
            self.Log._cron_purge_import_files()
        self.assertTrue(failed.attachment_id.exists())
        with freeze_time(NOW + timedelta(days=retention + 1)):
            self.Log._cron_purge_import_files()
        self.assertFalse(files.exists())
        self.assertTrue(failed.exists())

    def test_deleting_a_log_deletes_its_file(self):
        rows = [*self.maier_rows[3:], ("N004", "Bad Country", "", "", "XX")]
        log = self._queue(self.maier, rows).log_id
        self._run_jobs()
        file = log.attachment_id
        self.assertTrue(file)
        log.sudo().unlink()
        self.assertFalse(file.exists())

    def test_stale_transfer_is_not_taken_from_a_third_holder(self):
        """Planned "from Huber", applied after the customer went to the sales
        manager: the line becomes an error naming both holders, the customer
        stays where it is, the other lines apply."""
        log = self._queue(self.maier, self.maier_rows, transfer_mode="move").log_id
        self._plan_in_background(log)
        moved_away, still_huber = self.customers_huber[1], self.customers_huber[0]
        moved_away._transfer_customers(self.sales_manager)
        self._run_jobs()

        self.assertEqual(log.state, "done")
        self.assertEqual(moved_away.user_id, self.sales_manager)
        self.assertEqual(still_huber.user_id, self.maier)
        line = log.line_ids.filtered(lambda line: line.key == "H002")
        self.assertEqual(line.action, "error")
        self.assertEqual(
            line.message,
            "Customer Huber Customer 2 (key H002) was planned to be taken from "
            "Test Huber, but Test Sales Manager holds it now, so it was not "
            "transferred: import the row again to plan it anew.",
        )
        self.assertRecordValues(log, [{"count_transfer": 1, "count_error": 1}])

    def test_mass_trash_refusal_is_not_resumed_past_the_guard(self):
        for key, value in (("max_trash_share", "10"), ("min_trash_guard", "0")):
            self.env["ir.config_parameter"].set_param(
                f"crm_customer_ownership.import_{key}", value
            )
        rows = self._rows_of(self.customers_huber[:4])
        log = self._queue(self.huber, rows, import_mode="update_delete").log_id
        self._run_jobs()
        self.assertEqual(log.state, "failed")
        self.assertIn("move to the trash: 1", log.failure_message)
        with self.assertRaisesRegex(UserError, "confirm"):
            log.with_user(self.huber).action_resume()
        self._run_jobs()
        self.assertFalse(self.customers_huber.filtered("trashed_at"))

    def test_failed_chunk_keeps_what_was_applied_and_resumes(self):
        original = CustomerImport._apply_lines
        calls = []

        def refused_in_second_chunk(engine, lines, options, kinds=None):
            calls.append(len(lines))
            original(engine, lines, options, kinds)
            if len(calls) == 2:
                raise UserError(
                    engine.env._("Customer H002 is locked by another transfer.")
                )

        log = self._queue(self.maier, self.maier_rows, transfer_mode="move").log_id
        with patch.object(CustomerImport, "_apply_lines", refused_in_second_chunk):
            self._run_jobs()
        self.assertEqual(log.state, "failed")
        self.assertEqual(
            log.failure_message, "Customer H002 is locked by another transfer."
        )
        self.assertEqual(log.applied_line_count, 2)
        # The partial state is visible: chunk 1 (M001, H001) is applied.
        self.assertEqual(self.customer_maier.name, "Maier Customer Renamed")
        self.assertEqual(self.customers_huber[0].user_id, self.maier)
        self.assertEqual(self.customers_huber[1].user_id, self.huber)
        self.assertTrue(log.attachment_id, "kept for a resume")
        self.assertIn("locked by another transfer", log.message_ids[0].body)
        with self.assertRaises(AccessError):
            log.with_user(self.transfer_user).action_resume()
        log.with_user(self.maier).action_resume()
        self.assertEqual((log.state, log.failure_message), ("queued", False))
        self._run_jobs()
        self.assertEqual(log.state, "done")
        self.assertEqual(self.customers_huber[:2].user_id, self.maier)
        self.assertEqual(
            len(
                self.Partner.search([("external_ref", "in", ("N001", "N002", "N003"))])
            ),
            3,
        )
        history = self.env["customer.ownership.history"].search(
            [("partner_id", "in", self.customers_huber[:2].ids)]
        )
        self.assertEqual(len(history.filtered(lambda h: h.to_user_id == self.maier)), 2)

    def test_unexpected_error_fails_with_its_message(self):
        log = self._queue(self.maier, self.maier_rows).log_id
        with patch.object(
            CustomerImport, "_apply_lines", side_effect=ZeroDivisionError("boom")
        ):
            self._run_jobs()
        self.assertEqual(log.state, "failed")
        self.assertIn("boom", log.failure_message)
        self.assertEqual(log.applied_line_count, 0)
        self.assertFalse(self.Partner.search([("external_ref", "=", "N001")]))

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_plan_lines_follow_the_log_rules(self):
        log = self._queue(self.maier, self.maier_rows, transfer_mode="move").log_id
        self._run_jobs()
        Line = self.env["customer.import.log.line"]
        self.assertEqual(
            len(Line.with_user(self.maier).search([("log_id", "=", log.id)])), 6
        )
        self.assertFalse(Line.with_user(self.huber).search([("log_id", "=", log.id)]))
        self.assertEqual(
            len(Line.with_user(self.sales_manager).search([("log_id", "=", log.id)])), 6
        )
        with self.assertRaises(AccessError):
            log.with_user(self.maier).line_ids.write({"message": "changed"})

    # ------------------------------------------------------------------
    # Preview
    # ------------------------------------------------------------------

    def test_large_file_preview_is_planned_in_the_background(self):
        rows = [*self.maier_rows, ("N004", "Bad Country", "", "", "XX")]
        wizard = self._wizard(self.maier, self._csv(rows), transfer_mode="move")
        wizard.action_preview()
        log = wizard.log_id
        self.assertEqual((wizard.state, log.state), ("preview", "queued"))
        self.assertTrue(log.preview_only)
        self._run_jobs()
        self.assertEqual((log.state, log.progress), ("done", 100))
        self.assertEqual((log.count_transfer, log.count_error), (2, 1))
        self.assertIn("to transfer: 2", wizard.log_plan_summary)
        # Nothing is applied, and the rows are behind the wizard's buttons.
        self.assertEqual(self.customers_huber[:2].user_id, self.huber)
        self.assertFalse(self.Partner.search([("external_ref", "=", "N001")]))
        action = wizard.with_context(plan_filter="errors").action_view_lines()
        self.assertEqual(action["res_model"], "customer.import.log.line")
        self.assertEqual(action["context"], {"search_default_errors": 1})
        lines = self.env["customer.import.log.line"].search(action["domain"])
        self.assertEqual(len(lines), 7)
        self.assertIn("preview of customers.csv", log.message_ids[0].body)
        self.assertNotIn(log, self.Log.search(self._log_action_domain()))

    def _log_action_domain(self):
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm_customer_ownership.customer_import_log_action"
        )
        return ast.literal_eval(action["domain"])

    # ------------------------------------------------------------------
    # Workers killed by their limits
    # ------------------------------------------------------------------

    def _run_after_kills(self, kills):
        """``kills`` runs of the cron through Odoo's runner whose worker dies
        at the end of its unit of work (which is lost with the
        transaction), then one call of the next run."""
        runner = CronRunner(self, CRON)
        original = CustomerImportLog._run_import_step

        def killed_at_the_end(log):
            original(log)
            raise WorkerKilled()

        for _ in range(kills):
            with patch.object(CustomerImportLog, "_run_import_step", killed_at_the_end):
                runner.run_killed()
        self.assertEqual(runner.last_progress().timed_out_counter, kills)
        runner.run(max_calls=1)
        return runner.last_progress()

    def test_chunk_of_eight_killed_is_retried_with_four(self):
        """Halving, not one less: a chunk of 8 killed is retried with 4;
        the import then ends as an uninterrupted one."""
        # Not a decorator: the class's patch (2) would be applied after it.
        self.patch(customer_import_log, "CHUNK_LINES", 8)
        uninterrupted = self._uninterrupted_state()

        self.patch(customer_import_log, "MIN_CHUNK_LINES", 1)
        log = self._queue(self.maier, self.maier_rows, transfer_mode="move").log_id
        self._plan_in_background(log)
        self.assertEqual((log.chunk_lines, log.line_count), (8, 6))
        self._run_after_kills(1)
        self.assertEqual((log.chunk_lines, log.applied_line_count), (4, 4))
        CronRunner(self, CRON).run()
        self.assertEqual((log.state, log.chunk_lines), ("done", 4))
        state = self._maier_state()
        self.assertEqual(state["customers"], uninterrupted["customers"])
        self.assertEqual(state["history"], uninterrupted["history"])

    def test_killed_and_resumed_through_the_runner_ends_as_uninterrupted(self):
        """The runner's own path, start to end: a worker killed in the
        second chunk, the next run resumes it with smaller chunks."""
        uninterrupted = self._uninterrupted_state()

        self.patch(customer_import_log, "MIN_CHUNK_LINES", 1)
        runner = CronRunner(self, CRON)
        log = self._queue(self.maier, self.maier_rows, transfer_mode="move").log_id
        self._plan_in_background(log)
        runner.run(max_calls=1)  # chunk 1
        self.assertEqual(log.applied_line_count, 2)
        original = CustomerImport._apply_lines

        def killed_after_applying(engine, *args, **kwargs):
            original(engine, *args, **kwargs)
            raise WorkerKilled()

        with patch.object(CustomerImport, "_apply_lines", killed_after_applying):
            runner.run_killed()  # chunk 2, lost
        self.assertEqual(log.applied_line_count, 2)
        self.assertFalse(self.Partner.search([("external_ref", "=", "N001")]))
        runner.run_until_done(lambda: log.state == "done")
        self.assertEqual(log.chunk_lines, 1)
        state = self._maier_state()
        self.assertEqual(state["customers"], uninterrupted["customers"])
        self.assertEqual(state["reports"], uninterrupted["reports"])
        self.assertEqual(state["history"], uninterrupted["history"])
        self.assertEqual(len(self.Partner.search([("external_ref", "=", "N002")])), 1)

    @patch(f"{LOG}.MIN_CHUNK_LINES", 1)
    def test_chunk_killed_by_the_limits_is_retried_smaller(self):
        log = self._queue(self.maier, self.maier_rows, transfer_mode="move").log_id
        self._plan_in_background(log)
        self.assertEqual(log.chunk_lines, 2)
        self._assert_halved_then_failed(log, "applied_line_count")

    def test_planning_killed_twice_fails_with_the_reason(self):
        log = self._queue(self.maier, self.maier_rows).log_id
        self._run_after_kills(1)
        self.assertEqual(log.state, "running", "one kill: read again")
        self.assertTrue(log.is_read)
        # Huber's import comes next, and its planning dies twice.
        log.sudo().state = "done"
        rows = [(f"HX{i}", "X", "", "", "") for i in range(4)]
        log2 = self._queue(self.huber, rows).log_id
        self._run_after_kills(2)
        self.assertEqual(log2.state, "failed")
        self.assertIn("while it read the file", log2.failure_message)
        self.assertFalse(log2.is_read)

    def test_only_the_importer_or_a_sales_administrator_resumes(self):
        rows = [*self.maier_rows[3:], ("N004", "Bad Country", "", "", "XX")]
        log = self._queue(self.sales_manager, rows, user_id=self.maier.id).log_id
        self._run_jobs()
        self.assertEqual(log.state, "failed")
        # Maier reads the log of his list, but did not import it.
        self.assertTrue(log.with_user(self.maier).failure_message)
        with self.assertRaises(AccessError):
            log.with_user(self.maier).action_resume()
        with self.assertRaises(UserError):  # allowed, but row errors stop it
            log.with_user(self.sales_manager).action_resume()


class TestStaleTransferQueries(CustomerImportCase):
    """The holder re-check at apply time costs the same queries for one
    planned transfer as for forty, fresh or stale: one lock and one read of
    the holders per chunk."""

    def _lines(self, customers):
        return [
            {
                "action": "transfer",
                "source_id": customer.id,
                "from_user_id": self.huber.id,
                "key": customer.external_ref,
                "name": customer.name,
                "message": "",
            }
            for customer in customers
        ]

    def _recheck_query_count(self, customers):
        lines = self._lines(customers)
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        fresh = self.env["customer.import"]._drop_stale_transfers(lines)
        count = self.cr.sql_log_count - before
        return count, fresh, lines

    def _customers(self, count, prefix):
        return self.Partner.create(
            [
                {
                    "name": f"{prefix} {i}",
                    "external_ref": f"{prefix}{i}",
                    "user_id": self.huber.id,
                }
                for i in range(count)
            ]
        )

    def test_query_count_does_not_grow_with_transfers(self):
        many = self._customers(40, "Q")
        # Warm the caches (rules, groups) so that every count measures the same.
        self._recheck_query_count(many[:1])
        one, fresh, _lines = self._recheck_query_count(many[:1])
        forty, fresh, _lines = self._recheck_query_count(many)
        self.assertEqual(len(fresh), 40)
        self.assertEqual(forty, one, f"1 transfer: {one}, 40: {forty}")

    def test_query_count_of_stale_transfers_does_not_grow(self):
        many = self._customers(40, "S")
        # Two new holders, alternating: each name is read once.
        many[0::2].write({"user_id": self.maier.id})
        many[1::2].write({"user_id": self.sales_manager.id})
        self._recheck_query_count(many[:2])
        two, fresh, _lines = self._recheck_query_count(many[:2])
        forty, fresh, lines = self._recheck_query_count(many)
        self.assertFalse(fresh)
        self.assertEqual({line["action"] for line in lines}, {"error"})
        self.assertIn("Test Sales Manager holds it now", lines[1]["message"])
        self.assertEqual(forty, two, f"2 stale transfers: {two}, 40: {forty}")
