"""The fields only the module's workflows set, on every model, and the one
guard that refuses any change of them outside a workflow."""

from odoo import api, models
from odoo.exceptions import AccessError

from .res_partner import MERGE_MARK_FIELDS, TRASH_FIELDS, in_ownership_workflow

# {model: {field: owner}}: every field that only the module's workflows
# (trash, restore, purge, merge, undo, import, transfer) set, and on which
# records: owner None for all, else the field that, set on a record, makes
# the field engine-owned there (a merged customer comes back only through the
# undo of its merge). Each model listed inherits customer.engine.guard; adding
# a field or a model is one entry here (tests/test_engine_fields.py then
# probes it for every role).
#
# Rows of whole models that only the engines write (the ownership history,
# the merge and import logs and their lines) are not listed: no group may
# create or write them (security/ir.model.access.csv), the engines write
# them with sudo().
ENGINE_FIELDS = {
    "res.partner": dict.fromkeys(TRASH_FIELDS + MERGE_MARK_FIELDS)
    | {"active": "merged_into_id"},
    # Which open tasks and future appointments a trashed customer hid:
    # Restore brings back exactly those, and the purge deletes the
    # appointments hidden with the customers it deletes.
    "mail.activity": {"hidden_by_trash": None},
    "calendar.event": {"trash_partner_id": None},
    # The customer's own records follow its trash (and, for consents, its
    # merge): archived by hand, a visit report would vanish from the history
    # of a customer in use; reactivated, it would show for a trashed one.
    "customer.visit.report": {"active": None},
    "customer.visit.block": {"active": None},
    "customer.consent": {"active": None},
}


class CustomerEngineGuard(models.AbstractModel):
    """Refuses, outside the module's workflows, any change of the fields of
    ENGINE_FIELDS. Keyed on the workflows' Python context variable alone: no
    Odoo context key, no group, not even sudo opens it. A value a record
    already has, and on create the field's own default (the empty value for
    most), pass: the web client sends them with every form it saves."""

    _name = "customer.engine.guard"
    _description = "Fields Set Only by the Customer Workflows"

    def _prepare_create_values(self, vals_list):
        # Checked once the defaults are in: a default_<field> context key,
        # which any XML-RPC client can send, is a value like any other.
        vals_list = super()._prepare_create_values(vals_list)
        self.browse()._check_engine_fields(vals_list)
        return vals_list

    def write(self, vals):
        self._check_engine_fields([vals])
        return super().write(vals)

    def _check_engine_fields(self, vals_list):
        if in_ownership_workflow():
            return
        # .get: a model copied from a guarded one under another name
        # (prototype inheritance) has no engine fields of its own.
        engine_fields = ENGINE_FIELDS.get(self._name, {})
        changed = set()
        for vals in vals_list:
            for fname in engine_fields.keys() & vals.keys():
                if self._engine_field_changes(fname, vals[fname]):
                    changed.add(fname)
        if changed:
            raise self._engine_fields_refusal(changed)

    def _engine_field_changes(self, fname, value):
        """Whether writing ``value`` to ``fname`` changes it on one of these
        records (on create: whether it differs from the field's default)."""
        field = self._fields[fname]
        new = field.convert_to_cache(value, self.browse(), validate=False) or False
        owner = ENGINE_FIELDS[self._name][fname]
        if not self:
            # Before its creation nothing is owned yet.
            default = field.default(self) if field.default else False
            return not owner and new != (
                field.convert_to_cache(default, self, validate=False) or False
            )
        records = self.with_context(active_test=False)
        if owner:
            records = records.filtered(owner)
        return any(
            (field.convert_to_cache(record[fname], record) or False) != new
            for record in records
        )

    def _engine_fields_refusal(self, fnames):
        """The error refusing a change of ``fnames``, which says how to get
        the change made."""
        return AccessError(
            self.env._(
                "The fields %(fields)s of %(records)s follow their customer: "
                "they change only when the customer is moved to the trash, "
                "restored or merged. Use the Move to Trash or Restore button "
                "of the customer, or Merge into… in its Action menu, instead "
                "of writing them.",
                fields=self._engine_field_labels(fnames),
                # The kind's label (Tasks, Appointments), in the reader's
                # language: a model's _description is English and technical.
                records=self.env["res.partner"]._linked_records_label(self._name, "id"),
            )
        )

    @api.model
    def _engine_field_labels(self, fnames):
        return ", ".join(
            self._fields[fname]._description_string(self.env)
            for fname in sorted(fnames)
        )
