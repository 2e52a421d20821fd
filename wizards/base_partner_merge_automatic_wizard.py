from contextlib import nullcontext

from odoo import api, models

from ..models.res_partner_merge import (
    engine_merge_for_odoo_wizard,
    in_engine_merge_for_odoo_wizard,
)


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Odoo's own merge (Contacts > Action > Merge, and its automatic
    deduplication) merges the module's customers with this module's engine,
    so that its rules, audit, history and undo hold on every path.

    Odoo's ``_merge`` still runs: its checks (at most 3 contacts, one e-mail
    for non-administrators, no parent with its child, one user) and the
    steps other modules add around its foreign-key update (website visitors,
    loyalty cards, the chatter note) keep working. The engine takes over the
    partner's references (``_update_foreign_keys_generic`` and
    ``_update_reference_fields_generic`` for res.partner), bank accounts and
    values (the right customer keeps its own), and keeps the sources archived
    instead of deleting them. Merges of other partners are Odoo's, unchanged.
    """

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        partners = self.env["res.partner"].browse(partner_ids).exists()
        ours = partners._ownership_customers()
        with engine_merge_for_odoo_wizard() if ours else nullcontext():
            return super()._merge(
                partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
            )

    @api.model
    def _update_foreign_keys_generic(self, model, src_records, dst_record):
        if model != "res.partner" or not in_engine_merge_for_odoo_wizard():
            return super()._update_foreign_keys_generic(model, src_records, dst_record)
        # Here, below every module's _update_foreign_keys, so that what they
        # do before and after Odoo's update (merging website visitors...)
        # happens around the engine's.
        for source in src_records:
            source._merge_into(dst_record)

    @api.model
    def _update_reference_fields_generic(
        self, referenced_model, src_records, dst_record, additional_update_records=None
    ):
        if referenced_model == "res.partner" and in_engine_merge_for_odoo_wizard():
            # The engine moved these references with the others.
            return
        return super()._update_reference_fields_generic(
            referenced_model, src_records, dst_record, additional_update_records
        )

    @api.model
    def _merge_bank_accounts(self, src_partners, dst_partner):
        if in_engine_merge_for_odoo_wizard():
            # The engine merges them, recorded for its undo.
            return
        return super()._merge_bank_accounts(src_partners, dst_partner)

    @api.model
    def _update_values(self, src_partners, dst_partner):
        if in_engine_merge_for_odoo_wizard():
            # The right customer keeps its own values, as with the
            # module's merge.
            return
        return super()._update_values(src_partners, dst_partner)
