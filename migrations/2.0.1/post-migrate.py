def migrate(cr, version):
    """Make the module's record rules noupdate, as a fresh install has them.

    Before 2.0.1 they were updatable, so the update that brings this script
    has just loaded their current domains; from now on an update leaves
    them alone, and a release that changes a rule on purpose sets its row's
    noupdate back to FALSE in a pre-migration script. Groups stay updatable.
    """
    cr.execute(
        """
        UPDATE ir_model_data
           SET noupdate = TRUE
         WHERE module = 'crm_customer_ownership'
           AND model = 'ir.rule'
           AND NOT noupdate
        """
    )
