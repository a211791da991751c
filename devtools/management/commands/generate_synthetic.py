import environ
from django.core.management.base import BaseCommand, CommandError

from devtools.synthetic import SyntheticDataExists, generate, synthetic_counts


class Command(BaseCommand):
    help = "Fill the database with a plainly marked synthetic agency (scale 1 = thirty years of activity)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, help="1 is the full agency; 0.001 a small test set.")
        parser.add_argument("--seed", type=int, default=1, help="The same scale and seed give the same rows.")
        parser.add_argument("--replace", action="store_true", help="Delete earlier synthetic rows (only those).")
        parser.add_argument("--force", action="store_true", help="Run even with DJANGO_DEBUG=0.")
        parser.add_argument("--summary", action="store_true", help="Print the row counts and stop.")

    def handle(self, *args, scale, seed, replace, force, summary, **options):
        if summary:
            self.print_counts()
            return
        if scale is None or scale <= 0:
            raise CommandError("Give --scale, a positive number (1 = the full agency).")
        # Read as settings reads it, so "production" means the same here as there.
        if not environ.Env().bool("DJANGO_DEBUG", default=True) and not force:
            raise CommandError("DJANGO_DEBUG=0: this looks like production. Add --force to load synthetic data.")
        try:
            generate(scale=scale, seed=seed, replace=replace, report=self.stdout.write)
        except SyntheticDataExists:
            raise CommandError(
                "The database already holds synthetic data. Add --replace to delete it (only it) and load again."
            ) from None
        self.print_counts()

    def print_counts(self):
        counts = synthetic_counts()
        self.stdout.write("rows: " + ", ".join(f"{table}={count}" for table, count in counts.items()))
