/** @odoo-module **/
// Transfer from the contacts list: select a customer, Action > Transfer
// customer, pick the new salesperson, check in Copy mode that the read-only
// boxes are those of the kinds copies never take, back in Move untick
// Appointments by the box on its label's row, read the preview, transfer.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_customer_ownership_transfer", {
    steps: () => [
        {
            trigger: ".o_searchview_input",
            run: "edit Tour Transfer Customer",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The list shows the search's results (a row clicked before would be reloaded away)",
            trigger: ".o_list_view:not(:has(.o_data_row:not(:contains('Tour Transfer Customer'))))",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Transfer Customer') .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Transfer customer')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=target_user_id] input",
            run: "edit Tour Target",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Target Agent')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=transfer_mode] input[data-value=copy]",
            run: "click",
        },
        {
            content: "Copies never take tasks or opportunities: those boxes are read-only",
            trigger:
                ".modal .o_wrap_field_boolean:has(.o_form_label:contains('Tasks')) .o_field_boolean.o_readonly_modifier",
        },
        {
            trigger:
                ".modal .o_wrap_field_boolean:has(.o_form_label:contains('Opportunities')) .o_field_boolean.o_readonly_modifier",
        },
        {
            content: "Copies take appointments and contacts: those boxes stay editable",
            trigger:
                ".modal .o_wrap_field_boolean:has(.o_form_label:contains('Appointments')) .o_field_boolean:not(.o_readonly_modifier)",
        },
        {
            trigger:
                ".modal .o_wrap_field_boolean:has(.o_form_label:contains('Contacts')) .o_field_boolean:not(.o_readonly_modifier)",
        },
        {
            trigger: ".modal .o_field_widget[name=transfer_mode] input[data-value=move]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=transfer_tasks]:not(.o_readonly_modifier) input:checked",
        },
        {
            content: "Untick the box on the row of the label Appointments",
            trigger:
                ".modal .o_wrap_field_boolean:has(.o_form_label:contains('Appointments')) .o_field_boolean input[type=checkbox]",
            run: "click",
        },
        {
            content: "The box beside the label Appointments is the Appointments box",
            trigger: ".modal .o_field_widget[name=transfer_appointments] input:not(:checked)",
        },
        {
            content: "The other kinds still follow",
            trigger: ".modal .o_field_widget[name=transfer_tasks] input:checked",
        },
        {
            content: "The preview names the current salesperson before anything moves",
            trigger: ".modal .o_field_widget[name=preview_html]:contains('Tour Source Agent')",
        },
        {
            trigger: ".modal button[name=action_transfer]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The transfer says what moved to whom",
            trigger: ".o_notification:contains('Tour Target Agent'):contains('Tour Transfer Customer')",
        },
        {
            content: "One customer transferred: the transfer lands on it",
            trigger: ".o_breadcrumb .active:contains('Tour Transfer Customer')",
        },
    ],
});
