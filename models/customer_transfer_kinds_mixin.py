from odoo import api, fields, models

from .customer_linked_records import (
    CHOOSABLE_KINDS,
    add_kind_flags_to_arch,
    kinds_flag_fields,
)


def _kind_flag(kind):
    return fields.Boolean(
        kind.string,
        default=lambda self, flag=kind.flag: self.env.company[flag],
        help="Whether this kind of linked record follows the transferred "
        "customers; the default is the company's (Settings > CRM > Customer "
        "Ownership).",
    )


class CustomerTransferKindsMixin(models.AbstractModel):
    """One flag per kind of linked record a user may choose to transfer,
    generated from the declaration of what follows a customer, for the
    transfer and import wizards."""

    _name = "customer.transfer.kinds.mixin"
    _description = "Kinds of Linked Records to Transfer"

    locals().update(kinds_flag_fields(_kind_flag))

    def _chosen_transfer_kinds(self):
        """The keys of the kinds switched on."""
        self.ensure_one()
        return {kind.key for kind in CHOOSABLE_KINDS if self[kind.flag]}

    def _apply_transfer_mode_to_kinds(self, mode):
        """Copies never take some kinds: switch those off in copy mode, and
        back to the company default otherwise."""
        for kind in CHOOSABLE_KINDS:
            if not kind.copy:
                self[kind.flag] = mode != "copy" and self.env.company[kind.flag]

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        return add_kind_flags_to_arch(arch), view
