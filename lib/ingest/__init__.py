"""lib.ingest: reading and checking a quarterly progress upload (CSV or XLSX bytes).

Owns everything between the uploaded bytes and a `ValidationReport`: the limits and the
refusals (`limits`), refusing hostile or wrong-type files and decoding text (`sniff`), the
CSV readers (`csv_text`, with Arrow's for plain CSV in `csv_arrow`) and the workbook reader
(`xlsx`) behind `read.read_table`, the header row (`header`), text columns as codes
(`coded`), the per-cell rules (`cells`), the warnings across periods (`trend`) and the
report with its import preview (`report`). It may import only `lib.core`, `lib.plan`, the
standard library and third-party packages; it never touches the store or the file system.
"""
