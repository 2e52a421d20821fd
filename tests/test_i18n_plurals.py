import re

from odoo.exceptions import UserError

from ..models.customer_linked_records import LINKED_KINDS
from .import_common import CustomerImportCase

MODULE = "crm_customer_ownership"
LANGUAGES = ("en_US", "de_DE", "it_IT", "pl_PL")
# 1, 2-4, 5+ and 22 (few again) take different forms of a Polish noun.
COUNTS = (1, 2, 5, 22)
# A number followed by a word: "1 customers", "5 raporty". Odoo's server-side
# translations have no plural forms, so a count reads right in every
# language only as a label with its number ("Rows with errors: 5",
# "visit reports (5)").
SENTENCE_FORM = re.compile(r"\d\s+[^\W\d_]")


class TestCountsReadRightInEveryLanguage(CustomerImportCase):
    """Every message with a count, rendered for 1, 2, 5 and 22 customers in
    English, German, Italian and Polish: no number is followed by a word
    whose form would depend on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        module = cls.env["ir.module.module"].search([("name", "=", MODULE)])
        for code in LANGUAGES[1:]:
            cls.env["res.lang"]._activate_lang(code)
            module._update_translations(code, overwrite=True)
        # Every limit passed: the mass-trash warning shows for any count.
        for key in ("max_trash_share", "max_trash", "min_trash_guard"):
            cls.env["ir.config_parameter"].set_param(
                f"crm_customer_ownership.import_{key}", "0"
            )

    def _messages(self, code, count):
        """{what: text} of each message with ``count`` in language ``code``."""
        env = self.env(context=dict(self.env.context, lang=code))
        engine = env["customer.import"]
        messages = {kind.key: kind.summary(env, count) for kind in LINKED_KINDS}
        messages["linked summary"] = env["customer.ownership.history"]._summary_counts(
            {kind.count_field: count for kind in LINKED_KINDS}
        )
        log = env["customer.import.log"].new(
            {f"count_{action}": count for action in ("create", "error", "trash")}
        )
        messages["plan summary"] = log.plan_summary
        messages["more problems"] = engine._first_problems(["A"] * 10, 10 + count)
        messages["mass trash"] = engine._mass_trash_warning(count, self.huber)
        errors = [
            {"row": 1 + row, "action": "error", "message": "X"} for row in range(count)
        ]
        with self.assertRaises(UserError) as refusal:
            engine._check_plan_errors({"lines": errors})
        messages["row errors"] = refusal.exception.args[0]
        env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_max_rows", str(count)
        )
        data = self._csv([(f"N{i}", "New", "", "", "") for i in range(count + 1)])
        with self.assertRaises(UserError) as refusal:
            list(engine._open_file(data, "c.csv").rows())
        messages["row limit"] = refusal.exception.args[0]
        env["ir.config_parameter"].set_param(
            "crm_customer_ownership.trash_retention_days", str(count)
        )
        customer = self.customers_huber[0]
        env["customer.visit.report"].create(
            {"partner_id": customer.id, "user_id": self.huber.id, "summary": "V"}
        )
        with self.assertRaises(UserError) as refusal:
            customer.with_env(env).unlink()
        messages["delete refused"] = refusal.exception.args[0]
        messages["import done"] = self._done_notification(code, count)
        return messages

    def _done_notification(self, code, count):
        self.sales_manager.lang = code
        log = (
            self.env["customer.import.log"]
            .sudo()
            .create(
                {
                    "user_id": self.sales_manager.id,
                    "agent_id": self.huber.id,
                    "filename": "c.csv",
                    "import_mode": "update",
                    "transfer_mode": "none",
                    "key_fields": "external",
                    **{
                        f"count_{action}": count
                        for action in ("create", "update", "transfer", "trash")
                    },
                }
            )
        )
        log._notify_user()
        return log.message_ids[0].body

    def test_counts_are_labels_in_every_language(self):
        for code in LANGUAGES:
            for count in COUNTS:
                for what, text in self._messages(code, count).items():
                    with self.subTest(language=code, count=count, message=what):
                        self.assertIn(str(count), text)
                        self.assertNotRegex(text, SENTENCE_FORM)

    def test_polish_is_translated_not_english(self):
        messages = self._messages("pl_PL", 5)
        english = self._messages("en_US", 5)
        for what, text in messages.items():
            with self.subTest(message=what):
                self.assertNotEqual(text, english[what])
