"""The walking network's version token, kept by statement triggers (geo/models/rules_sql.py):
a process checks its cached graph by reading one row instead of counting the network."""

from django.db import migrations, models

from geo.models.rules_sql import NETWORK_VERSION, NETWORK_VERSION_DROP


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0023_jobs'),
    ]

    operations = [
        migrations.CreateModel(
            name='NetworkVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.UUIDField(verbose_name='版本标识')),
            ],
            options={
                'verbose_name': '路网版本',
                'verbose_name_plural': '路网版本',
            },
        ),
        migrations.RunSQL(NETWORK_VERSION, NETWORK_VERSION_DROP),
    ]
