"""Batch aggregation of stored answers into school results, deliveries and reports.

The statistics core is pure: DataFrame/Series/scalars in, DataFrame/Series/frozen dataclasses
out, no I/O, validation by ``veilig.errors.InvalidInput``. One module per idea:

- ``intervals``: Wilson interval of a proportion, t interval of a mean.
- ``scales``: scale scores per pupil (reverse coding, minimum items answered), their summary.
- ``prevalence``: share at or above a cut-off (Olweus bullying), shares per answer option,
  "% feels safe".
- ``reliability``: Cronbach's alpha with the Feldt interval, corrected item-total correlations.
- ``representativeness``: margin of error and Cochran sample size with finite-population
  correction, response per group, the representativeness verdict.
- ``comparison``: percentile among peer schools, difference from the previous year.
- ``suppression``: small-cell and complementary suppression; every published figure goes
  through ``suppress``.
"""
