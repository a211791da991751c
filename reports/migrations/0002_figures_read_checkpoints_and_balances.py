"""The summary's figures also read the published checkpoints and the opening balances: a
write to either makes the stored summaries out of date, as one to the missions does
(`0001_maintained_figures`). The SQL is written out here, not imported."""

from django.db import migrations

CREATE = """
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON dispatch_figurecheckpoint FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON dispatch_openingbalance FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
"""

DROP = """
DROP TRIGGER figures_changed ON dispatch_openingbalance;
DROP TRIGGER figures_changed ON dispatch_figurecheckpoint;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_maintained_figures"),
        ("dispatch", "0007_figure_checkpoints_and_opening_balances"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
