/** @odoo-module **/
// What a user reads, in English and in German: the merge log names what
// moved as the merge preview does, never by model or field, and the user
// form's section of the module's rights has its translated header.
import { registry } from "@web/core/registry";

const LABELS = {
    en: { visitReports: "Visit Reports", section: "Customer Ownership" },
    de: { visitReports: "Besuchsberichte", section: "Kundenbetreuung" },
};

for (const [lang, labels] of Object.entries(LABELS)) {
    registry.category("web_tour.tours").add(`crm_customer_ownership_merge_log_${lang}`, {
        steps: () => [
            {
                content: "What moved, in the reader's words",
                trigger: `.o_field_widget[name=shown_line_ids] .o_data_row:contains('${labels.visitReports}')`,
            },
            {
                content: "No model or field names",
                trigger: ".o_form_view:not(:contains('Model Data')):not(:contains('Record ID')):not(:contains('(Customer)'))",
            },
        ],
    });
    registry.category("web_tour.tours").add(`crm_customer_ownership_user_form_${lang}`, {
        steps: () => [
            {
                trigger: ".o_notebook a[name=access_rights], .o_notebook .nav-link:contains('Access Rights'), .o_notebook .nav-link:contains('Zugriffsrechte')",
                run: "click",
            },
            {
                content: "The module's rights under their translated header",
                trigger: `.o_horizontal_separator:contains('${labels.section}')`,
            },
        ],
    });
}
