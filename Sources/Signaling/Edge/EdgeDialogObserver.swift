/// Turns what the edge proxies into `DialogCallEvent`s for BLF, the way Kamailio's pua_dialoginfo
/// watches calls:
/// - an initial INVITE (no To tag) starts a call. A leg from a phone drives only the caller's
///   lamp (initiator); a leg from the farm towards a phone drives only the callee's (recipient).
///   The farm is a B2BUA, so a call between two phones is two legs, and each phone appears once;
/// - responses to INVITE (by CSeq method) from each branch: 18x early, 2xx confirmed, ≥300
///   terminated. Responses to PRACK, UPDATE, re-INVITE's ACK... are not INVITE responses, so a
///   200 to PRACK never confirms an early dialog;
/// - CANCEL ends the dialogs not yet confirmed; BYE ends the call.
/// Re-INVITEs (To tag present) change nothing. Retransmissions are harmless: states only move
/// forward and a finished call's Call-ID is ignored for a while.
enum EdgeDialogObserver {
    static func event(for message: SIPMessage, fromFarm: Bool) -> DialogCallEvent? {
        // Most traffic (REGISTER, OPTIONS, SUBSCRIBE...) is not a call: decide before reading headers.
        if message.isRequest, message.method != .invite, message.method != .cancel, message.method != .bye { return nil }
        if message.isResponse {
            // The CSeq method before the Call-ID: the edge's own REGISTER 200s pass here and are not calls.
            guard let status = message.statusCode, status > 100, (try? message.cseq)?.method == .invite,
                  let callID = try? message.callID
            else { return nil }
            return .response(callID: callID, toTag: (try? message.to)?.tag, status: status)
        }
        guard let callID = try? message.callID else { return nil }
        switch message.method {
        case .invite:
            guard let to = try? message.to, to.tag == nil, let from = try? message.from, let fromTag = from.tag,
                  let caller = AddressOfRecord(uri: from.uri), let callee = AddressOfRecord(uri: to.uri)
            else { return nil }
            return .invite(callID: callID, fromTag: fromTag, caller: caller, callee: callee,
                           sides: fromFarm ? .recipient : .initiator)
        case .cancel:
            return .cancel(callID: callID)
        case .bye:
            return .bye(callID: callID)
        default:
            return nil
        }
    }
}
