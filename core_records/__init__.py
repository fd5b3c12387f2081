"""The canonical offender record store. Imports none of Gatehouse's other packages."""
