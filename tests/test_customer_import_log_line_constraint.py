from psycopg2 import IntegrityError

from odoo.tools import mute_logger

from .common import CustomerOwnershipCase

CONSTRAINT = "customer_import_log_line_log_sequence_uniq"


class TestCustomerImportLogLineConstraint(CustomerOwnershipCase):
    def _line(self, log, sequence):
        return {
            "log_id": log.id,
            "sequence": sequence,
            "action": "pending",
            "key": f"K{sequence}",
        }

    def test_one_line_per_position_of_a_plan(self):
        log, other = self.env["customer.import.log"].create(
            [
                {
                    "user_id": self.huber.id,
                    "agent_id": self.huber.id,
                    "import_mode": "create",
                    "transfer_mode": "none",
                    "key_fields": "external",
                }
            ]
            * 2
        )
        Line = self.env["customer.import.log.line"]
        # The same position in another plan, and the next one in the same.
        Line.create([self._line(log, 1), self._line(other, 1), self._line(log, 2)])
        with (
            self.assertRaises(IntegrityError) as refused,
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            Line.create(self._line(log, 1))
        self.assertEqual(refused.exception.diag.constraint_name, CONSTRAINT)
        self.env.cr.execute(
            "SELECT contype FROM pg_constraint WHERE conname = %s", [CONSTRAINT]
        )
        self.assertEqual(self.env.cr.fetchall(), [("u",)])
