"""Reference data as CSV files: read by ``core_records.custody.reference_data``, loaded
into the store."""
