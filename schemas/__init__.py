"""The shapes of documents: partner XSDs and JSON Schemas (one folder per partner), the
canonical event envelope (``events/``), and the code that reads and checks documents safely.

    xml                    safe parsing of partner XML (``parse_xml``): no entities, no DTDs,
                           no network, size-capped
    loader                 partner XSDs compiled once per process, and ``validate`` naming the
                           fault and its line
    json_documents         inbound JSON: parsed with a size cap, checked against a JSON Schema
    namespaced_documents   the documents of a partner format in one XML namespace
    events                 canonical event envelopes checked against their JSON Schema
    xsd_values             Python values in the lexical forms XSD 1.0 accepts, for documents
                           Gatehouse writes

Import from the module that defines a name; this package itself exports nothing.
"""
