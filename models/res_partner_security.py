from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .res_partner import ENGINE_FIELDS, in_ownership_workflow, ownership_workflow
from .res_partner_transfer import TRANSFER_GROUP


class ResPartner(models.Model):
    # Imported after res_partner_transfer: the engine wrapper below must come
    # before the engine in the method resolution order.
    _inherit = "res.partner"

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

    # ------------------------------------------------------------------
    # The guard of the engine-owned fields (ENGINE_FIELDS)
    # ------------------------------------------------------------------

    def _check_engine_fields(self, vals_list):
        """Refuse, outside the module's workflows, any change of a field only
        a workflow sets. Keyed on the workflows' Python context variable
        alone: no Odoo context key, no group, not even sudo opens it. An
        empty value on create and a value a customer already has pass: the
        web client sends them with every form it saves."""
        if in_ownership_workflow():
            return
        changed = set()
        for vals in vals_list:
            for fname in ENGINE_FIELDS.keys() & vals.keys():
                if self._engine_field_changes(fname, vals[fname]):
                    changed.add(fname)
        if not changed:
            return
        if "active" in changed:
            merged = self.with_context(active_test=False).filtered("merged_into_id")
            raise UserError(
                self.env._(
                    "Customer %(merged)s was merged into %(kept)s and comes back "
                    "only by undoing the merge: open the merge from its log "
                    "(Contacts > Configuration > Customer Merges) and click Undo.",
                    merged=merged[:1].display_name,
                    kept=merged[:1].merged_into_id.display_name,
                )
            )
        raise AccessError(
            self.env._(
                "The fields %(fields)s of a customer are set only by Move to "
                "trash, Restore, the import, the purge, the merge and its undo: "
                "use Action > Move to trash, Restore or Merge, or undo the merge "
                "from its log, instead of writing them.",
                fields=", ".join(
                    self._fields[fname]._description_string(self.env)
                    for fname in sorted(changed)
                ),
            )
        )

    def _engine_field_changes(self, fname, value):
        """Whether writing ``value`` to ``fname`` changes it on one of these
        partners (on create: whether it is not empty)."""
        field = self._fields[fname]
        new = field.convert_to_cache(value, self.browse(), validate=False)
        if not self:
            return bool(new) and ENGINE_FIELDS[fname] is None
        partners = self.with_context(active_test=False)
        if owner := ENGINE_FIELDS[fname]:
            partners = partners.filtered(owner)
        return any(
            (field.convert_to_cache(partner[fname], partner) or False) != (new or False)
            for partner in partners
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

    @api.model_create_multi
    def create(self, vals_list):
        self.browse()._check_engine_fields(vals_list)
        return super().create(vals_list)

    def write(self, vals):
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
            return super().write(vals)
        changing._transfer_customers(
            new_user, mode="move", transfer_linked=True, origin="manual"
        )
        others = dict(vals)
        others.pop("user_id")
        (self - changing).write(vals)
        return super(ResPartner, changing).write(others) if others else True
