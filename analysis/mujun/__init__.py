"""亩均 evaluation, low-efficiency land (低效用地) and 腾笼换鸟 renewal."""
