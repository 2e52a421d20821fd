import base64
import gc
import threading
from functools import partial

from odoo import SUPERUSER_ID, api, sql_db
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged

from .common_race import BLOCK_WAIT, CommittedCustomerMixin, wait_until_blocked
from .registry_lookup import allow_registry_lookup_in_threads


# After the install is committed: the race runs real transactions on
# committed data, which Odoo's runner cannot give while it installs.
@tagged("post_install", "-at_install")
class TestImportTransferRace(CommittedCustomerMixin, TransactionCase):
    """Two requests transfer (or import) the same committed customer at
    once: the loser waits, then Odoo's request retry replays it on the
    winner's data; both succeed one after the other and nothing is lost."""

    race_ref = "RI1"
    race_login = "t_race_import"

    # ------------------------------------------------------------------
    # The two requests
    # ------------------------------------------------------------------

    def _transfer(self, env, agent_index):
        customer = env["res.partner"].browse(self.customer_id)
        customer._transfer_customers(
            env["res.users"].browse(self.agent_ids[agent_index])
        )

    def _import(self, env, agent_index, data=None, transfer_mode="move"):
        """An administrator imports the agent's list."""
        admin = env.ref("base.user_admin")
        data = data or b"external_ref,name\r\nRI1,Race Customer\r\n"
        wizard = (
            env["customer.import.wizard"]
            .with_user(admin)
            .create(
                {
                    "file": base64.b64encode(data),
                    "filename": "race.csv",
                    "user_id": self.agent_ids[agent_index],
                    "transfer_mode": transfer_mode,
                }
            )
        )
        wizard.action_import()

    def _race(self, winner, loser):
        """``winner`` holds the lock in one transaction while ``loser`` runs
        as Odoo runs a request (``retrying``) in another, in a thread; the
        winner commits once the loser waits."""
        outcome = {"calls": 0}
        allow_registry_lookup_in_threads(self)
        # Patched rather than captured: the test framework's log capture
        # does not see the thread's records.
        bad_queries = []
        self.patch(
            sql_db._logger, "error", lambda *args, **kw: bad_queries.append(args)
        )
        ready, go = threading.Event(), threading.Event()

        def request():
            with self.registry.cursor() as cr2:
                # The loser's snapshot predates the winner's change, as for a
                # request that started first: its lock then always conflicts.
                cr2.execute("SELECT 1")
                outcome["pid"] = cr2.connection.get_backend_pid()
                ready.set()
                go.wait(BLOCK_WAIT)
                env2 = api.Environment(cr2, SUPERUSER_ID, {})

                def call():
                    outcome["calls"] += 1
                    return loser(env2)

                try:
                    retrying(call, env2)
                    outcome["result"] = "done"
                except Exception as error:  # noqa: BLE001 - reported below
                    outcome["result"] = repr(error)

        thread = threading.Thread(target=request)
        thread.start()
        ready.wait(BLOCK_WAIT)
        with self.registry.cursor() as cr1:
            # Held until the commit, as a request holds its environment: a
            # cursor flushes through the environments of its transaction,
            # which it references weakly. Once the winner's environment was
            # garbage-collected, its commit left out the pending new
            # salesperson but kept the history already inserted, and the
            # loser rightly found the first owner still in place.
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            winner(env1)
            go.set()
            self._wait_until_blocked(cr1, outcome)
            # Collected here, not whenever the collector happens to run, so
            # that a winner whose writes depend on it fails every time.
            gc.collect()
            cr1.commit()
        thread.join(BLOCK_WAIT)
        self.assertFalse(thread.is_alive())
        self.assertEqual(outcome["result"], "done")
        self.assertFalse(bad_queries, "an expected conflict is no bad query")
        return outcome["calls"]

    def _wait_until_blocked(self, cr, outcome):
        if "pid" not in outcome or not wait_until_blocked(cr, outcome["pid"]):
            self.fail(f"the racing transaction never waited for the lock: {outcome}")

    def _assert_final(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            customer = env["res.partner"].browse(self.customer_id)
            self.assertEqual(customer.user_id.id, self.agent_ids[2])
            self.assertEqual(len(customer.visit_report_ids), 3)
            history = env["customer.ownership.history"].search(
                [("partner_id", "=", self.customer_id)], order="id"
            )
            self.assertEqual(
                [(h.from_user_id.id, h.to_user_id.id) for h in history],
                [
                    (self.agent_ids[0], self.agent_ids[1]),
                    (self.agent_ids[1], self.agent_ids[2]),
                ],
            )

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_losing_transfer_is_retried_and_succeeds(self):
        calls = self._race(
            partial(self._transfer, agent_index=1),
            partial(self._transfer, agent_index=2),
        )
        self._assert_final()
        self.assertEqual(calls, 2, "the loser is replayed once")

    def test_losing_import_is_retried_and_succeeds(self):
        calls = self._race(
            partial(self._transfer, agent_index=1), partial(self._import, agent_index=2)
        )
        self._assert_final()
        self.assertEqual(calls, 2, "the loser is replayed once")

    def test_two_imports_updating_one_customer_both_apply(self):
        rename = b"external_ref,name\r\nRI1,Renamed\r\n"
        move_city = b"external_ref,city\r\nRI1,Wien\r\n"
        calls = self._race(
            partial(self._import, agent_index=0, data=rename, transfer_mode="none"),
            partial(self._import, agent_index=0, data=move_city, transfer_mode="none"),
        )
        with self.registry.cursor() as cr:
            customer = api.Environment(cr, SUPERUSER_ID, {})["res.partner"].browse(
                self.customer_id
            )
            self.assertEqual((customer.name, customer.city), ("Renamed", "Wien"))
        self.assertEqual(calls, 2, "the loser is replayed once")
