from odoo import models

# Records of this module that make a contact one of its customers.
CUSTOMER_DATA_MODELS = (
    "customer.visit.report",
    "customer.visit.block",
    "customer.consent",
    "customer.ownership.history",
)


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Odoo's own merge (Contacts > Action > Merge, and its automatic
    deduplication) merges the module's customers with this module's engine,
    so that its rules, audit and history hold on every path."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        partners = self.env["res.partner"].browse(partner_ids).exists()
        if len(partners) < 2:
            return super()._merge(
                partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
            )
        # The destination as Odoo's wizard chooses it: the one picked in the
        # wizard, or else the most linked and most recent partner.
        if dst_partner and dst_partner in partners:
            sources = partners - dst_partner
        else:
            ordered = self._get_ordered_partner(partners.ids)
            dst_partner, sources = ordered[-1], ordered[:-1]
        if not self._ownership_customers(partners):
            for source in sources:
                source._check_merge_keeps_account_partner(dst_partner)
            return super()._merge(
                partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
            )
        for source in sources:
            source._merge_into(dst_partner)

    def _ownership_customers(self, partners):
        """The customers of this module among ``partners``: those with a
        salesperson, an External ID, a structure unit, the synchronised flag
        or a trash stamp, and those with visit reports, visit blocks,
        consents or ownership history."""
        partners = partners.with_context(active_test=False)
        customers = partners.filtered(
            lambda partner: (
                partner.user_id
                or partner.external_ref
                or partner.structure_unit_id
                or partner.is_synced
                or partner.trashed_at
            )
        )
        for model in CUSTOMER_DATA_MODELS:
            # sudo: a record the user may not read still makes its partner a
            # customer whose merge must follow the module's rules.
            linked = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                ._read_group([("partner_id", "in", partners.ids)], ["partner_id"])
            )
            customers |= self.env["res.partner"].union(
                *(partner for (partner,) in linked)
            )
        return customers
