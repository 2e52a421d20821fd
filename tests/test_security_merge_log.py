from odoo.exceptions import AccessError

from .common import SALESMAN, new_users
from .common_lead_access import LeadAccessCase

Log = "customer.merge.log"
LogLine = "customer.merge.log.line"


class TestMergeLogAfterThePurge(LeadAccessCase):
    """A merge log names both customers. Once the purge has deleted one of
    them (its link emptied), the log and its rows stay visible to exactly
    those who saw them before: a restricted agent learns nothing about
    another agent's merge, and the owner's team keeps its account of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stranger = new_users(cls.env, SALESMAN, t_stranger="Test Stranger")
        cls.stranger.restrict_to_own_customers = True
        cls.readers = dict(
            cls.users, stranger=cls.stranger, admin=cls.env.ref("base.user_admin")
        )

    def _merged_pair(self):
        source = self.Partner.create({"name": "Wrong Huber", "user_id": self.huber.id})
        target = self.Partner.create({"name": "Right Huber", "user_id": self.huber.id})
        # A row that moves, so that the log has a line to read.
        self.env["customer.visit.report"].create(
            {"partner_id": source.id, "summary": "Visit"}
        )
        log = self._merge_log(source, target)
        self.assertTrue(log.line_ids)
        return source, target, log

    def _purge(self, *partners):
        for partner in partners:
            if not partner.merged_at:
                partner.with_user(self.sales_manager).action_trash()
            self._age("merged_at" if partner.merged_at else "trashed_at", partner)
        self.Partner._cron_purge_trash()
        for partner in partners:
            self.assertFalse(partner.exists())

    def _who_reads(self, log):
        """The readers of the log, and of its rows, through search as the
        lists and XML-RPC clients do, and through read."""
        self.env.flush_all()
        self.env.invalidate_all()
        readers, line_readers = set(), set()
        for name, user in self.readers.items():
            found = self.env[Log].with_user(user).search([("id", "=", log.id)])
            if found:
                readers.add(name)
                # What the log keeps of both customers.
                found.read(["source_name", "target_name"])
            else:
                with self.assertRaises(AccessError):
                    log.with_user(user).read(["source_name", "target_name"])
            lines = self.env[LogLine].with_user(user).search([("log_id", "=", log.id)])
            if lines:
                line_readers.add(name)
        return readers, line_readers

    def test_both_customers_purged(self):
        source, target, log = self._merged_pair()
        before = self._who_reads(log)
        self.assertIn("huber", before[0])
        self.assertIn("team_lead", before[0])
        self.assertNotIn("stranger", before[0])
        self.assertTrue({"maier", "service", "sales_manager", "admin"} <= before[0])
        self._purge(source, target)
        self.assertRecordValues(
            log,
            [
                {
                    "source_partner_id": False,
                    "target_partner_id": False,
                    "source_owner_id": self.huber.id,
                    "target_owner_id": self.huber.id,
                }
            ],
        )
        self.assertEqual(self._who_reads(log), before)

    def test_merged_customer_purged(self):
        source, _target, log = self._merged_pair()
        before = self._who_reads(log)
        self._purge(source)
        self.assertEqual(self._who_reads(log), before)

    def test_kept_customer_moved_on_then_purged(self):
        # The log follows the kept customer's salesperson until the purge,
        # then stays with the last one.
        source, target, log = self._merged_pair()
        target._transfer_customers(self.maier)
        before = self._who_reads(log)
        self.assertNotIn("huber", before[0])
        self._purge(source, target)
        self.assertEqual(log.target_owner_id, self.maier)
        self.assertEqual(self._who_reads(log), before)
