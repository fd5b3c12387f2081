"""Reference data as CSV files: read by ``core_records.reference_data``, loaded into the store."""
