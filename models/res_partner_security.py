from odoo import api, models
from odoo.exceptions import AccessError

from .res_partner import in_ownership_workflow, ownership_workflow
from .res_partner_transfer import TRANSFER_GROUP

# Stamped by the trash workflow only (action_trash, action_restore, the
# import through them, the purge); Settings administrators may correct them.
TRASH_FIELDS = ("trashed_at", "trashed_by_id")


class ResPartner(models.Model):
    # Imported after res_partner_transfer: the engine wrapper below must come
    # before the engine in the method resolution order.
    _inherit = "res.partner"

    def _transfer_customers(
        self,
        target_user,
        mode="move",
        transfer_linked=True,
        origin="manual",
        kinds=None,
    ):
        # The engine writes the new salesperson itself, which write() lets
        # through only inside a workflow.
        with ownership_workflow():
            return super()._transfer_customers(
                target_user,
                mode=mode,
                transfer_linked=transfer_linked,
                origin=origin,
                kinds=kinds,
            )

    def _check_trash_fields_allowed(self, vals_list):
        if (
            in_ownership_workflow()
            or self.env.su
            or not any(field in vals for vals in vals_list for field in TRASH_FIELDS)
            or self.env.user.has_group("base.group_system")
        ):
            return
        raise AccessError(
            self.env._(
                "The trash dates and who trashed a customer are set only by "
                "Move to trash, Restore, the import and the purge: use "
                "Action > Move to trash or Restore instead of writing "
                "'Trashed on' or 'Trashed by'."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_trash_fields_allowed(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_trash_fields_allowed([vals])
        if "user_id" not in vals or in_ownership_workflow() or self.env.su:
            return super().write(vals)
        # A customer that has a salesperson changes hands only through a
        # transfer: history row, chatter note and linked data, whatever the
        # screen (form, list mass edit) or an XML-RPC write.
        new_user = self.env["res.users"].browse(vals["user_id"] or ())
        changing = self.with_context(active_test=False).filtered(
            lambda partner: partner.user_id and partner.user_id != new_user
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
            return super().write(vals)
        changing._transfer_customers(
            new_user, mode="move", transfer_linked=True, origin="manual"
        )
        others = dict(vals)
        others.pop("user_id")
        (self - changing).write(vals)
        return super(ResPartner, changing).write(others) if others else True
