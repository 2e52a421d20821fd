/** @odoo-module **/
// Transfer from the contacts list: select a customer, Action > Transfer
// customer, pick the new salesperson, read the preview, transfer.
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
