"""A partner's batch files on the normal pipeline: one message per record or document.

``SftpPoller`` (sftp_poller) watches an SFTP drop directory and answers each file with a
receipt; ``FileIntake`` (intake) publishes a file's records and tracks them to the receipt,
through publishing's confirmed batches; document_batches puts the documents of an uploaded
batch on the pipeline as a POST to the edge would.
"""

from routing.file_interfaces.intake import FileIntake
from routing.file_interfaces.sftp_poller import SftpPoller

__all__ = ["FileIntake", "SftpPoller"]
