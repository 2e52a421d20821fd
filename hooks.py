def uninstall_hook(env):
    """Give Contacts' Configuration menu back the place Contacts gives it:
    the module moved it after its own menus (views/
    crm_customer_ownership_menus.xml), and Odoo does not undo a change to
    another module's record when this one is uninstalled."""
    menu = env.ref("contacts.res_partner_menu_config", raise_if_not_found=False)
    if menu:
        menu.sequence = 2
