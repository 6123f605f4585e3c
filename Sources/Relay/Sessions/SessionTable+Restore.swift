extension SessionTable {
    /// The journal form of a live call (nil for an unknown Call-ID).
    public func record(callID: String) -> CallRecord? {
        calls[callID].map(CallRecord.init)
    }

    /// Rebuilds a call from its journal record after a restart, on exactly the recorded ports, with fresh stream
    /// ids. The call's last signal is `now`, so it gets a full timeout before it can expire. Returns the actions
    /// that bind its sockets again and set up userspace forwarding (the kernel table still carries the media).
    ///
    /// Throws `SessionError.ranOutOfPorts` when a recorded port is outside the range or already held, and leaves
    /// the table unchanged.
    public mutating func restore(_ record: CallRecord, at now: SessionTime) throws -> SessionOutcome {
        guard calls[record.callID] == nil else { return SessionOutcome() }
        var call = Call(callID: record.callID, created: record.created)
        call.lastSignal = now
        call.nextMonologueID = record.nextMonologueID
        var leased: [LocalSocket] = []
        func take(_ port: UInt16, on id: InterfaceID) throws -> LocalSocket {
            guard Int(id.rawValue) < allocators.count else { throw SessionError.unknownInterface("\(id)") }
            let relayInterface = interface(id)
            guard allocators[Int(id.rawValue)].reserve(port) else {
                throw SessionError.ranOutOfPorts(interface: relayInterface.name)
            }
            let socket = LocalSocket(interface: id, address: relayInterface.address, port: port)
            leased.append(socket)
            return socket
        }
        do {
            for recorded in record.monologues {
                var monologue = recorded
                for position in monologue.medias.indices {
                    var media = monologue.medias[position]
                    guard let rtpPort = media.rtp?.local.port else { continue }
                    let rtp = try take(rtpPort, on: media.interface)
                    var rtcp: LocalSocket?
                    if let recordedRTCP = media.rtcp, !recordedRTCP.muxed {
                        rtcp = try take(recordedRTCP.local.port, on: media.interface)
                    }
                    let (rtpStream, rtcpStream) = makeStreams(rtp: rtp, rtcp: rtcp)
                    media.rtp = rtpStream
                    media.rtcp = media.rtcp == nil ? nil : rtcpStream
                    monologue.medias[position] = media
                }
                call.monologues[monologue.id] = monologue
            }
        } catch {
            releaseSockets(leased)
            throw error
        }
        // `commit` records socket owners and stream locations; the ports are already taken, so it must not see
        // them as newly allocated twice — it only releases closed ones, which there are none of.
        return SessionOutcome(actions: commit(callID: record.callID, old: nil, new: call))
    }
}
