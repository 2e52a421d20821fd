import gc
import threading
from functools import partial
from unittest.mock import patch

from psycopg2 import errors

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common_race import CommittedDataCase, wait_until_blocked
from .registry_lookup import allow_registry_lookup_in_threads


# After the install is committed: the race runs real transactions on
# committed data, which Odoo's runner cannot give while it installs.
@tagged("post_install", "-at_install")
class TestCustomerMergeUndoRace(CommittedDataCase):
    """An undo racing a transfer of the right customer ends consistent,
    whichever starts first. Two real transactions on committed data, so the
    test cleans up after itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            cls.new_owner_id = new_test_user(
                cls._env(cr, SUPERUSER_ID),
                login="t_race_owner",
                name="Race Owner",
                groups="base.group_user,sales_team.group_sale_salesman",
            ).id

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = cls._env(cr, SUPERUSER_ID)
            user = env["res.users"].browse(cls.new_owner_id)
            partner = user.partner_id
            user.unlink()
            partner.unlink()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            source, target = env["res.partner"].create(
                [
                    {"name": "Race Wrong", "user_id": self.admin_id},
                    {"name": "Race Right", "user_id": self.admin_id},
                ]
            )
            self.lead_ids = (
                env["crm.lead"]
                .create(
                    [
                        {"name": f"Race deal {i}", "partner_id": source.id}
                        for i in range(3)
                    ]
                )
                .ids
            )
            self.activity_id = source.activity_schedule(
                "mail.mail_activity_data_todo", summary="Race call"
            ).id
            self.source_id, self.target_id = source.id, target.id
            self.log_id = source._merge_into(target).id
        self.addCleanup(self._clean)

    def _clean(self):
        with self.registry.cursor() as cr:
            env = self._env(cr, SUPERUSER_ID)
            env["crm.lead"].browse(self.lead_ids).exists().unlink()
            partners = (
                env["res.partner"]
                .with_context(active_test=False)
                .browse([self.source_id, self.target_id])
            )
            env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)]
            ).unlink()
            env["customer.merge.log"].browse(self.log_id).unlink()
            env["customer.ownership.history"].search(
                [("partner_id", "in", partners.ids)]
            ).unlink()
            partners.unlink()

    def _transfer(self, env):
        target = env["res.partner"].browse(self.target_id)
        target._transfer_customers(env["res.users"].browse(self.new_owner_id))

    def _undo(self, env):
        env["customer.merge.log"].browse(self.log_id).action_undo()

    def _assert_consistent(self):
        with self.registry.cursor() as cr:
            env = self._env(cr, SUPERUSER_ID)
            log = env["customer.merge.log"].browse(self.log_id)
            source = env["res.partner"].browse(self.source_id)
            target = env["res.partner"].browse(self.target_id)
            self.assertEqual(log.state, "undone")
            self.assertFalse(log.undo_report)
            self.assertTrue(source.active)
            self.assertFalse(source.merged_into_id)
            self.assertEqual(env["crm.lead"].browse(self.lead_ids).partner_id, source)
            activity = env["mail.activity"].browse(self.activity_id)
            self.assertEqual(activity.res_id, source.id)
            self.assertEqual(target.user_id.id, self.new_owner_id)

    def test_transfer_refused_while_the_undo_runs(self):
        with self.registry.cursor() as undo_cr, self.registry.cursor() as move_cr:
            # Held until the commit, as a request holds its environment: a
            # cursor flushes only the environments still alive, so an inline
            # one collected before the commit loses the undo's pending writes.
            undo_env = self._env(undo_cr)
            self._undo(undo_env)
            move_env = self._env(move_cr)
            # The transfer waits for the undo's lock, then hands the conflict
            # to Odoo's request retry (lock-not-available); not 20 s here.
            with (
                patch.object(
                    type(move_env["res.partner"]), "_transfer_lock_timeout", "100ms"
                ),
                self.assertRaises(errors.LockNotAvailable),
            ):
                self._transfer(move_env)
            move_cr.rollback()
            # Fails at once, not by chance, if undo_env is inlined again.
            gc.collect()
            undo_cr.commit()
        # The transfer, retried, finds the undone merge.
        with self.registry.cursor() as cr:
            env = self._env(cr)
            self._transfer(env)
            gc.collect()
        self._assert_consistent()

    def test_undo_waits_for_a_running_transfer(self):
        allow_registry_lookup_in_threads(self)
        errors = []
        with self.registry.cursor() as move_cr:
            move_env = self._env(move_cr)
            self._transfer(move_env)
            move_env.flush_all()
            with self.registry.cursor() as undo_cr:
                undo_cr.execute("SELECT pg_backend_pid()")
                pid = undo_cr.fetchone()[0]

                def undo():
                    # As over XML-RPC: the server retries a transaction that
                    # waited for a row another one changed meanwhile.
                    env = self._env(undo_cr)
                    try:
                        retrying(partial(self._undo, env), env)
                        undo_cr.commit()
                    except Exception as error:  # noqa: BLE001 - the main thread reports it
                        errors.append(error)
                        undo_cr.rollback()

                thread = threading.Thread(target=undo)
                thread.start()
                with self.registry.cursor() as probe:
                    if not wait_until_blocked(probe, pid):
                        self.fail("the undo did not wait for the transfer")
                move_cr.commit()
                with mute_logger("odoo.sql_db", "odoo.service.model"):
                    thread.join(60)
        self.assertFalse(errors)
        self._assert_consistent()


class TestCustomerMergeGraphRace(CommittedDataCase):
    """Two merges touching one customer at once, in two real transactions:
    of one pair, of a circle (A into B while B into A) and of one customer
    into two others, one succeeds and the other is refused with a clear
    message, whichever way they overlap. Committed data, cleaned up."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            self.a_id, self.b_id, self.c_id = (
                env["res.partner"]
                .create(
                    [
                        {"name": f"Graph Race {letter}", "user_id": self.admin_id}
                        for letter in "ABC"
                    ]
                )
                .ids
            )
        self.addCleanup(self._clean)

    def _clean(self):
        with self.registry.cursor() as cr:
            env = self._env(cr, SUPERUSER_ID)
            ids = [self.a_id, self.b_id, self.c_id]
            env["customer.merge.log"].search(
                [
                    "|",
                    ("source_partner_ref", "in", ids),
                    ("target_partner_ref", "in", ids),
                ]
            ).unlink()
            env["customer.ownership.history"].search(
                [("partner_id", "in", ids)]
            ).unlink()
            env["res.partner"].with_context(active_test=False).browse(ids).unlink()

    def _merge(self, env, source_id, target_id):
        Partner = env["res.partner"]
        return Partner.browse(source_id)._merge_into(Partner.browse(target_id))

    def _merged(self):
        """{source id: target id} of the committed merges."""
        with self.registry.cursor() as cr:
            env = self._env(cr, SUPERUSER_ID)
            partners = (
                env["res.partner"]
                .with_context(active_test=False)
                .browse([self.a_id, self.b_id, self.c_id])
            )
            return {
                partner.id: partner.merged_into_id.id
                for partner in partners
                if partner.merged_into_id
            }

    def _race_while_running(self, first, second):
        """``second`` runs while ``first`` holds its locks: it is refused at
        once, and only ``first`` is done once both have ended."""
        with self.registry.cursor() as first_cr, self.registry.cursor() as second_cr:
            # Held until the commit, as a request holds its environment (see
            # test_transfer_refused_while_the_undo_runs).
            first_env = self._env(first_cr)
            self._merge(first_env, *first)
            second_env = self._env(second_cr)
            with self.assertRaisesRegex(
                UserError, "by someone else right now, so nothing was changed"
            ):
                self._merge(second_env, *second)
            second_cr.rollback()
            gc.collect()
            first_cr.commit()
        self.assertEqual(self._merged(), {first[0]: first[1]})
        # The retried second merge meets the rules on the new data.
        with self.registry.cursor() as cr:
            env = self._env(cr)
            with self.assertRaisesRegex(UserError, "was itself merged into"):
                self._merge(env, *second)
        self.assertEqual(self._merged(), {first[0]: first[1]})

    def test_same_pair_twice_at_once(self):
        self._race_while_running((self.a_id, self.b_id), (self.a_id, self.b_id))

    def test_circle_at_once(self):
        self._race_while_running((self.a_id, self.b_id), (self.b_id, self.a_id))

    def test_one_customer_into_two_at_once(self):
        self._race_while_running((self.a_id, self.b_id), (self.a_id, self.c_id))

    def test_into_a_customer_being_merged_at_once(self):
        self._race_while_running((self.a_id, self.b_id), (self.c_id, self.a_id))

    def test_circle_after_the_other_committed(self):
        """The second transaction began before the first committed: its
        snapshot still shows B unmerged, the lock meets PostgreSQL's
        serialization failure, and Odoo's retry replays it into a refusal."""
        with self.registry.cursor() as late_cr:
            late_env = self._env(late_cr)
            # The snapshot is taken by the transaction's first statement.
            late_env["res.partner"].browse(self.b_id).name  # noqa: B018
            with self.registry.cursor() as first_cr:
                first_env = self._env(first_cr)
                self._merge(first_env, self.a_id, self.b_id)
                gc.collect()
                first_cr.commit()
            with (
                mute_logger("odoo.service.model"),
                self.assertRaisesRegex(UserError, "was itself merged into"),
            ):
                retrying(partial(self._merge, late_env, self.b_id, self.a_id), late_env)
        self.assertEqual(self._merged(), {self.a_id: self.b_id})
