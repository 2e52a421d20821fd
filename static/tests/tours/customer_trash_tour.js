/** @odoo-module **/
// Trash and restore from the customer's form: the move asks for
// confirmation, the trashed form is read-only, Restore brings it back.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_customer_ownership_trash", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Tour Trash Customer)",
        },
        {
            trigger: ".o_form_view button[name=action_trash]",
            run: "click",
        },
        {
            content: "Moving to the trash asks first",
            trigger: ".modal:contains('Move this customer to the trash') .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_form_view .ribbon:contains('In Trash')",
        },
        {
            content: "The trashed customer's form is read-only",
            trigger: ".o_form_view .o_field_widget[name=phone].o_readonly_modifier",
        },
        {
            trigger: ".o_form_view button[name=action_restore]",
            run: "click",
        },
        {
            trigger: ".o_form_view:not(:has(.ribbon:contains('In Trash')))",
        },
        {
            content: "Restored, the form is editable again",
            trigger: ".o_form_view .o_field_widget[name=phone]:not(.o_readonly_modifier) input",
        },
    ],
});
