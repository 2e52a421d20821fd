from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .res_partner import in_ownership_workflow
from .res_partner_transfer import TRANSFER_GROUP


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "customer.engine.guard"]

    salesperson_readonly = fields.Boolean(
        compute="_compute_salesperson_readonly",
        help="The salesperson of this customer changes only through a "
        "transfer, which the current user may not make.",
    )

    @api.depends_context("uid")
    def _compute_salesperson_readonly(self):
        # What write() below would refuse: changing the salesperson of a
        # customer of this module that has one needs the transfer right. The
        # stored salesperson counts, not the one being typed in a form.
        if self.env.su or self.env.user.has_group(TRANSFER_GROUP):
            self.salesperson_readonly = False
            return
        stored = self._origin.filtered("user_id")
        customers = stored._ownership_customers()
        for partner in self:
            partner.salesperson_readonly = partner._origin in customers

    # ------------------------------------------------------------------
    # The engine-owned fields (ENGINE_FIELDS, customer_engine_guard.py)
    # ------------------------------------------------------------------

    def _engine_fields_refusal(self, fnames):
        # Odoo's own refusal first: a user who may not write these customers
        # learns nothing from ours (names, who they were merged into).
        self.check_access("write")
        if "active" in fnames:
            merged = self.with_context(active_test=False).filtered("merged_into_id")
            return UserError(
                self.env._(
                    "Customer %(merged)s was merged into %(kept)s and comes back "
                    "only by undoing the merge: open the merge with the Merges "
                    "button of %(kept)s and click Undo Merge.",
                    merged=merged[:1].display_name,
                    kept=merged[:1]._merged_into_label(),
                )
            )
        return AccessError(
            self.env._(
                "The fields %(fields)s of a customer are set only by Move to "
                "trash, Restore, the import, the purge, the merge and its undo: "
                "use the Move to Trash or Restore button, Merge, or undo the "
                "merge from its log, instead of writing them.",
                fields=self._engine_field_labels(fnames),
            )
        )

    # ------------------------------------------------------------------
    # Reactivation: one rule for every way of unarchiving
    # ------------------------------------------------------------------

    def _reactivate_trashed(self, vals):
        """Unarchiving a trashed customer is a restore, whatever the path
        (Unarchive in the form or the list, action_unarchive, toggle_active,
        write({'active': True})): the same checks, linked records, history
        and chatter as Restore. Returns the customers it restored."""
        if not vals.get("active") or in_ownership_workflow():
            return self.browse()
        trashed = self.with_context(active_test=False).filtered(
            lambda partner: partner.trashed_at and not partner.merged_into_id
        )
        trashed.action_restore()
        return trashed

    def write(self, vals):
        # Before anything below restores or transfers: the guard's own
        # write (customer.engine.guard) would refuse only afterwards.
        self._check_engine_fields([vals])
        self._reactivate_trashed(vals)
        if "user_id" not in vals or in_ownership_workflow() or self.env.su:
            return super().write(vals)
        # A customer of this module that has a salesperson changes hands only
        # through a transfer: history row, chatter note and linked data,
        # whatever the screen (form, list mass edit) or an XML-RPC write.
        # Other partners change salesperson as in stock Odoo.
        new_user = self.env["res.users"].browse(vals["user_id"] or ())
        changing = (
            self.with_context(active_test=False)
            .filtered(lambda partner: partner.user_id and partner.user_id != new_user)
            ._ownership_customers()
        )
        if not changing:
            return super().write(vals)
        if not new_user:
            if not self.env.user.has_group(TRANSFER_GROUP):
                raise AccessError(
                    self.env._(
                        "You are not allowed to take customers away from their "
                        "salesperson (%(customers)s). Ask an administrator for "
                        "the right 'Transfer customers between salespeople'.",
                        customers=", ".join(changing.mapped("display_name")),
                    )
                )
            # As a transfer: a merged customer keeps its salesperson for the
            # undo of its merge.
            changing._check_not_merged()
            return super().write(vals)
        changing._transfer_customers(new_user, mode="move", origin="manual")
        others = dict(vals)
        others.pop("user_id")
        (self - changing).write(vals)
        return super(ResPartner, changing).write(others) if others else True
