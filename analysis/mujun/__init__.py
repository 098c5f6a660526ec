"""亩均 evaluation, low-efficiency land (低效用地) and 腾笼换鸟 renewal."""

#: The two growth scenarios every renewal plan is computed for, in Chinese.
SCENARIO_ZH = {"main": "主情景", "conservative": "保守情景"}
