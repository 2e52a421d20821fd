from odoo import fields, models
from odoo.tools import create_index


class CalendarEvent(models.Model):
    _name = "calendar.event"
    _inherit = ["calendar.event", "customer.engine.guard"]

    # The customer whose trashing hid this future appointment; restoring that
    # customer brings it back.
    trash_partner_id = fields.Many2one(
        "res.partner",
        string="Hidden with Customer",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    def init(self):
        res = super().init()
        # Odoo does not index the record an event points at: redirecting
        # those references to a merge target would read the whole table
        # (tests/test_query_plans.py).
        create_index(
            self.env.cr,
            "calendar_event_res_id_res_model_index",
            self._table,
            ["res_id", "res_model"],
        )
        return res
