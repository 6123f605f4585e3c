import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension SIPTransport {
    /// Binds one listener (reads off; `start()` switches them on).
    func bind(_ listener: SIPListenerConfiguration, id: LocalSocketID) async throws -> ListenerSockets {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: listener.host, port: listener.port)
        } catch {
            throw SIPTransportError.invalidListenerAddress(host: listener.host, port: listener.port)
        }
        switch listener.transport {
        case .udp:
            let channels = try await self.bindDatagramSockets(at: address, id: id)
            let bound = channels[0].localAddress ?? address
            return ListenerSockets(
                listener: Self.describe(listener, id: id, boundTo: bound),
                datagramChannels: channels,
                serverChannel: nil,
                twin: self.openKeepaliveTwin(at: bound, id: id)
            )
        case .tcp:
            let server = try await self.bindStreamListener(at: address, id: id)
            return ListenerSockets(
                listener: Self.describe(listener, id: id, boundTo: server.localAddress ?? address),
                datagramChannels: [],
                serverChannel: server
            )
        }
    }

    /// Binds the UDP socket(s) of a listener: vector reads into a fixed-size batch buffer, a large SO_RCVBUF, and with
    /// several sockets, SO_REUSEPORT so the kernel spreads clients over them (each client always hashes to the same
    /// socket, and all share the listener's address and port).
    private func bindDatagramSockets(at address: SocketAddress, id: LocalSocketID) async throws -> [any Channel] {
        let bootstrap = self.datagramBootstrap(id: id)
        let socketCount = max(1, self.configuration.udpSocketsPerListener)
        var channels: [any Channel] = []
        do {
            let first = try await bootstrap.bind(to: address).get()
            channels.append(first)
            // With port 0 the first bind picked the port; the others must join that same port.
            let shared = first.localAddress ?? address
            for _ in 1..<socketCount {
                channels.append(try await bootstrap.bind(to: shared).get())
            }
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }
        return channels
    }

    /// The bootstrap of a listener's UDP sockets (reads off until `start()` or a reopen switches them on).
    private func datagramBootstrap(id: LocalSocketID) -> DatagramBootstrap {
        let config = self.configuration
        let socketCount = max(1, config.udpSocketsPerListener)
        let batch = max(1, config.udpVectorReadMessageCount)
        let maxDatagram = max(1, config.udpMaxDatagramSize)
        var bootstrap = DatagramBootstrap(group: self.group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.autoRead, value: false)
            // Each vector-read slot is capacity / batch bytes: one more than the largest datagram accepted.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: batch * (maxDatagram + 1)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        DatagramSyscallBatcher(delay: config.udpReadCoalescing, busyReadCount: config.udpBusyReadCount),
                        SIPDatagramHandler(local: id, maxDatagramSize: maxDatagram, transport: self)
                    )
                }
            }
        if batch > 1 {
            bootstrap = bootstrap.channelOption(.datagramVectorReadMessageCount, value: batch)
        }
        if let size = config.udpReceiveBufferSize {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(clamping: size))
        }
        if let size = config.udpSendBufferSize {
            bootstrap = bootstrap.channelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(clamping: size))
        }
        if socketCount > 1 || self.usesKeepaliveTwins {
            bootstrap = bootstrap.channelOption(.socketOption(Self.soReusePort), value: 1)
        }
        return bootstrap
    }

    /// Twins only beside a single socket per listener: with several, the kernel's hash spreads clients over them,
    /// and a steering program replaces that hash for the whole port.
    var usesKeepaliveTwins: Bool {
        self.configuration.keepaliveTwinMarker?.count == 8 && self.configuration.udpSocketsPerListener <= 1
    }

    /// Binds the keepalive twin of a UDP listener whose socket is bound at `address` (nil when twins are off or
    /// the kernel refuses one; the listener then carries the keepalives through the pipeline, as before).
    func openKeepaliveTwin(at address: SocketAddress, id: LocalSocketID) -> KeepaliveTwinSocket? {
        guard self.usesKeepaliveTwins, let marker = self.configuration.keepaliveTwinMarker else { return nil }
        switch KeepaliveTwinSocket.open(at: address, marker: marker, local: id,
                                        receiveBufferSize: self.configuration.udpReceiveBufferSize) {
        case .success(let twin):
            return twin
        case .failure(let error):
            self.cells.keepaliveTwinFailures.bump()
            self.state.withLockedValue { $0.keepaliveTwinError = "\(address): \(error)" }
            return nil
        }
    }

    /// Reopens a UDP socket that closed while the transport was running. NIO closes a datagram channel on a send
    /// error it does not tolerate (it tolerates EMSGSIZE and EHOSTUNREACH, not ENETUNREACH, EPERM from a firewall,
    /// EACCES...), so one send to an unroutable address would leave the listener deaf for good. The socket is
    /// bound again at the same address and port (pinholes only care about those), and sends use it from then on.
    func watchDatagramChannel(listener index: Int, slot: Int) {
        let channel: (any Channel)? = self.state.withLockedValue { state in
            guard state.sockets.indices.contains(index), state.sockets[index].datagramChannels.indices.contains(slot)
            else { return nil }
            return state.sockets[index].datagramChannels[slot]
        }
        guard let channel else { return }
        let address = channel.localAddress
        channel.closeFuture.whenComplete { _ in
            guard let address else { return }
            Task { await self.reopenDatagramChannel(listener: index, slot: slot, at: address, closed: channel) }
        }
    }

    private func reopenDatagramChannel(listener index: Int, slot: Int, at address: SocketAddress,
                                       closed: any Channel) async {
        for attempt in 0..<50 {
            let running = self.state.withLockedValue { $0.phase == .running }
            guard running else { return }
            if attempt > 0 { try? await Task.sleep(nanoseconds: 100_000_000) }
            // The twin goes first: alone on the port it is the group's socket 0 and would keep the listener's
            // traffic, and a socket bound now would join behind it. Until the fresh twin is bound, the keepalive
            // tick sends through the listener (and drains nothing).
            let oldTwin = self.state.withLockedValue { state -> KeepaliveTwinSocket? in
                guard state.sockets.indices.contains(index) else { return nil }
                defer { state.sockets[index].twin = nil }
                return state.sockets[index].twin
            }
            oldTwin?.close()
            guard let fresh = try? await self.datagramBootstrap(id: LocalSocketID(index: index)).bind(to: address).get()
            else { continue }
            let twin = self.openKeepaliveTwin(at: address, id: LocalSocketID(index: index))
            let installed = self.state.withLockedValue { state -> Bool in
                guard state.phase == .running, state.sockets.indices.contains(index),
                      state.sockets[index].datagramChannels.indices.contains(slot),
                      state.sockets[index].datagramChannels[slot] === closed
                else { return false }
                state.sockets[index].datagramChannels[slot] = fresh
                state.sockets[index].twin = twin
                return true
            }
            guard installed else {
                twin?.close()
                try? await fresh.close()
                return
            }
            self.cells.datagramListenerReopens.wrappingAdd(1, ordering: .relaxed)
            try? await fresh.setOption(.autoRead, value: true).get()
            self.watchDatagramChannel(listener: index, slot: slot)
            return
        }
    }

    /// Binds a TCP listener; accepted connections get the framing pipeline.
    private func bindStreamListener(at address: SocketAddress, id: LocalSocketID) async throws -> any Channel {
        try await ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: self.configuration.tcpBacklog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.autoRead, value: false)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                self.initializeStreamPipeline(channel, local: id, origin: .accepted)
            }
            .bind(to: address)
            .get()
    }

    /// Opens a TCP connection for a flow, from the listener's address when it is a specific one.
    func connectStream(_ key: TCPFlowKey, on loop: any EventLoop) -> EventLoopFuture<TCPConnection> {
        var bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(self.configuration.tcpConnectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                self.initializeStreamPipeline(channel, local: key.local, origin: .opened)
            }
        if let source = self.listener(key.local)?.localAddress, Self.isSpecific(source),
            source.protocol == key.remote.protocol
        {
            bootstrap = bootstrap.bind(to: Self.withPortZero(source))
        }
        return bootstrap.connect(to: key.remote).flatMapThrowing { channel in
            // Runs on the channel's loop, before channelActive: register now so that sends can use it at once.
            let handler = try channel.pipeline.syncOperations.handler(type: SIPStreamConnectionHandler.self)
            let connection = TCPConnection(
                id: handler.id,
                key: key,
                channel: channel,
                handler: NIOLoopBound(handler, eventLoop: channel.eventLoop)
            )
            self.connections.register(connection)
            return connection
        }
    }

    /// The per-connection pipeline: idle timeout, then framing.
    func initializeStreamPipeline(
        _ channel: any Channel,
        local: LocalSocketID,
        origin: SIPStreamConnectionHandler.Origin
    ) -> EventLoopFuture<Void> {
        let config = self.configuration
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            if let idle = config.tcpIdleTimeout {
                try pipeline.addHandler(IdleStateHandler(allTimeout: idle))
            }
            try pipeline.addHandler(
                SIPStreamConnectionHandler(
                    id: self.makeConnectionID(),
                    local: local,
                    origin: origin,
                    maxMessageSize: config.tcpMaxMessageSize,
                    transport: self
                )
            )
        }
    }

    private static let soReusePort = NIOBSDSocket.Option(rawValue: SO_REUSEPORT)

    private static func describe(
        _ listener: SIPListenerConfiguration,
        id: LocalSocketID,
        boundTo address: SocketAddress
    ) -> BoundListener {
        BoundListener(
            id: id,
            transport: listener.transport,
            localAddress: address,
            advertisedHost: listener.advertisedHost ?? address.ipAddress ?? listener.host,
            advertisedPort: listener.advertisedPort ?? address.port ?? listener.port,
            configuration: listener
        )
    }

    /// False for the wildcard addresses, whose outbound source the kernel picks.
    private static func isSpecific(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress else { return false }
        return ip != "0.0.0.0" && ip != "::"
    }

    private static func withPortZero(_ address: SocketAddress) -> SocketAddress {
        var copy = address
        copy.port = 0
        return copy
    }
}
