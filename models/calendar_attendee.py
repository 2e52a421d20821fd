from odoo import models
from odoo.tools import create_index


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    def init(self):
        res = super().init()
        # Odoo indexes calendar attendances by nothing but their id: moving a
        # customer's attendances (merge, undo) and checking that the other
        # customer does not attend the same event would read the whole table
        # once per attendance (tests/test_customer_merge_plans.py).
        create_index(
            self.env.cr,
            "calendar_attendee_partner_id_event_id_index",
            self._table,
            ["partner_id", "event_id"],
        )
        return res
