from odoo import fields, models

from .customer_linked_records import CHOOSABLE_KINDS, LINKED_KINDS_BY_KEY


def _kind_flag(key):
    kind = LINKED_KINDS_BY_KEY[key]
    return fields.Boolean(
        kind.string,
        default=lambda self, flag=kind.flag: self.env.company[flag],
        help="Whether this kind of linked record follows the transferred "
        "customers; the default is the company's (Settings > CRM > Customer "
        "Ownership).",
    )


class CustomerTransferKindsMixin(models.AbstractModel):
    """One flag per kind of linked record a user may choose to transfer, for
    the transfer and import wizards; labels come from the declaration of what
    follows a customer (tests/test_transfer_kinds.py checks that every
    choosable kind has its flag here, in res.company, in the settings and in
    each view)."""

    _name = "customer.transfer.kinds.mixin"
    _description = "Kinds of Linked Records to Transfer"

    transfer_visit_reports = _kind_flag("visit_reports")
    transfer_tasks = _kind_flag("tasks")
    transfer_appointments = _kind_flag("appointments")
    transfer_visit_blocks = _kind_flag("visit_blocks")
    transfer_opportunities = _kind_flag("opportunities")
    transfer_contacts = _kind_flag("contacts")

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
